/**
 * A referral taken through supervision by API, independent of the outcome-form UI: a GP sends
 * it, the registrar submits an outcome, the consultant signs it off (optionally amending).
 */
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { MutationResults, type OutcomeAmendment, type OutcomePayload } from '../../../shared/contract';
import { syntheticNhsNumber } from '../../../shared/domain/nhs-number';
import { apiSignIn, postOneImageReferral } from './service-instance';

export interface DecidedReferral {
  referralId: string;
  outcomeId: string;
  nhsNumber: string;
  given: string;
  family: string;
}

async function mutate(url: string, token: string, mutation: { type: string; entityId: string; baseVersion?: number; payload: unknown }) {
  const id = randomUUID();
  const res = await fetch(`${url}/api/v1/mutations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ mutations: [{ id, clientTime: new Date().toISOString(), ...mutation }] }),
  });
  if (!res.ok) throw new Error(`${mutation.type}: HTTP ${res.status} ${await res.text()}`);
  const [result] = MutationResults.parse(await res.json()).results;
  if (result?.status !== 'applied') throw new Error(`${mutation.type}: ${JSON.stringify(result)}`);
  return result;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** Posts a one-image advice referral, then registrar submit and consultant sign-off. */
export async function decidedReferral(
  url: string,
  opts: { question: string; outcome: Omit<OutcomePayload, 'referralId'>; amend?: OutcomeAmendment; comment?: string },
): Promise<DecidedReferral> {
  const [gp, registrar, consultant] = await Promise.all([apiSignIn(url, 'gp'), apiSignIn(url, 'registrar'), apiSignIn(url, 'consultant')]);
  const n = Math.floor(Math.random() * 300_000) + 100_000;
  const family = `Letterby${[...String(n)].map((d) => LETTERS[Number(d)]).join('')}`;
  const nhsNumber = syntheticNhsNumber(n);
  const jpeg = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 217, g: 169, b: 135 } } })
    .jpeg({ quality: 85 })
    .toBuffer();
  const referral = {
    patient: { nhsNumber, name: { given: 'Ada', family }, birthDate: '1950-02-01', sex: 'female' },
    pathway: 'advice',
    referrer: { name: 'Dr Priya Shah', practiceCode: 'A12345' },
    question: opts.question,
    history: { duration: '3 months', changed: true },
    images: [{ part: 'img1', kind: 'close-up', lesion: 'L1', bodySite: 'left lower leg', capturedAt: '2026-11-01T10:00:00Z' }],
  };
  const referralId = await postOneImageReferral(url, gp, referral, jpeg, 'letters referral');
  const outcomeId = randomUUID();
  const submitted = await mutate(url, registrar, { type: 'outcome.submit', entityId: outcomeId, payload: { referralId, ...opts.outcome } });
  await mutate(url, consultant, {
    type: 'outcome.sign-off',
    entityId: outcomeId,
    baseVersion: submitted.entityVersion,
    payload: { ...(opts.amend ? { amend: opts.amend } : {}), ...(opts.comment ? { comment: opts.comment } : {}) },
  });
  return { referralId, outcomeId, nhsNumber, given: 'Ada', family };
}
