import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReferralCreated, type Change, type Mutation, type MutationResult, type Outcome, type OutcomeFields, type Pathway, type Referral } from '../../shared/contract';
import type { ServiceClient } from '../../shared/client/service-client';
import { outcomeRuleIssues, type OutcomeRule } from '../../shared/domain/outcome-rules';
import { allChanges, postReferral, referralBody, startService, testJpeg, type RunningService } from './harness';

/**
 * The pathway rules of `shared/domain/outcome-rules.ts`, enforced by the service: each is
 * refused on submit and on sign-off (nothing stored changes) and accepted once satisfied;
 * drafts are not checked; sign-off keeps the consultant's comment and the registrar's values.
 */

let svc: RunningService;
let gp: ServiceClient;
let consultant: ServiceClient;
let registrar: ServiceClient;
let jpeg: Buffer;

const tokenOf = (c: ServiceClient) => c.currentToken() ?? '';
const AGREEMENT = { name: 'Dr A Example', on: '2026-03-02', note: 'Agreed by phone.' };
const SAFETY = 'Return at once if it bleeds, grows or changes colour.';
const base = { diagnosis: { text: 'Seborrhoeic keratosis' }, adviceToGp: 'Benign appearance on dermoscopy.' };

async function newReferral(pathway: Pathway): Promise<string> {
  const res = await postReferral(svc, tokenOf(gp), referralBody(['a'], { pathway }), { a: jpeg });
  expect(res.status).toBe(201);
  return ReferralCreated.parse(await res.json()).id;
}

async function one(c: ServiceClient, m: Omit<Mutation, 'id' | 'clientTime' | 'payload'> & { payload?: unknown }): Promise<MutationResult> {
  const { results } = await c.mutate([{ id: randomUUID(), clientTime: new Date().toISOString(), payload: {}, ...m }]);
  return results[0]!;
}

const submit = (c: ServiceClient, referralId: string, fields: Partial<OutcomeFields> & Pick<OutcomeFields, 'decision'>, entityId: string = randomUUID()) =>
  one(c, { type: 'outcome.submit', entityId, payload: { referralId, ...base, ...fields } });

async function stored(referralId: string): Promise<{ referral: Referral; outcomes: Outcome[]; feed: number }> {
  const detail = await svc.ctx.repo.read(async (tx) => ({ referral: (await tx.getReferral(referralId))!, outcomes: await tx.outcomesForReferral(referralId) }));
  return { ...detail, feed: (await allChanges(consultant)).length };
}

beforeAll(async () => {
  svc = await startService();
  [gp, consultant, registrar] = await Promise.all([svc.signedIn('gp'), svc.signedIn('consultant'), svc.signedIn('registrar')]);
  jpeg = await testJpeg(320, 240);
});

afterAll(async () => {
  await svc?.close();
});

/** Each rule: a pathway, an outcome breaking only it, and the same outcome made good. */
const RULES: { rule: OutcomeRule; pathway: Pathway; broken: Partial<OutcomeFields> & Pick<OutcomeFields, 'decision'>; fixed: Partial<OutcomeFields> }[] = [
  { rule: 'usc-downgrade-needs-agreement', pathway: 'usc', broken: { decision: 'routine-appointment' }, fixed: { referrerAgreement: AGREEMENT } },
  { rule: 'request-info-needs-reason', pathway: 'advice', broken: { decision: 'request-info' }, fixed: { requestReasons: ['blurred', 'no-scale'] } },
  { rule: 'discharge-needs-safety-netting', pathway: 'advice', broken: { decision: 'discharge' }, fixed: { safetyNetting: SAFETY } },
  { rule: 'priority-fits-pathway', pathway: 'advice', broken: { decision: 'routine-appointment', priority: 'P2' }, fixed: { priority: 'routine' } },
  { rule: 'waiting-list-needs-priority', pathway: 'waiting-list', broken: { decision: 'routine-appointment', listReview: 'unchanged' }, fixed: { priority: 'P3' } },
  { rule: 'waiting-list-needs-review', pathway: 'waiting-list', broken: { decision: 'routine-appointment', priority: 'P3' }, fixed: { listReview: 'unchanged' } },
  {
    rule: 'removal-needs-patient-agreement',
    pathway: 'waiting-list',
    broken: { decision: 'discharge', priority: 'P4', listReview: 'resolved', safetyNetting: SAFETY },
    fixed: { patientAgreedToRemoval: true },
  },
];

describe.each(RULES)('$rule', ({ rule, pathway, broken, fixed }) => {
  it('breaks only this rule in the fixture', () => {
    expect(outcomeRuleIssues(pathway, { ...base, ...broken }).map((i) => i.rule)).toEqual([rule]);
    expect(outcomeRuleIssues(pathway, { ...base, ...broken, ...fixed })).toEqual([]);
  });

  it('is refused on submit with nothing stored, and accepted once satisfied', async () => {
    const referralId = await newReferral(pathway);
    const before = await stored(referralId);
    const refused = await submit(consultant, referralId, broken);
    const issue = outcomeRuleIssues(pathway, { ...base, ...broken })[0]!;
    expect(refused).toMatchObject({ status: 'rejected', error: { code: 'outcome_invalid', issues: [{ field: issue.field, rule }] } });
    expect(refused.error?.message).toContain(issue.message);
    // The clinician's words are never echoed into a refusal.
    expect(refused.error?.message).not.toContain(base.adviceToGp);
    expect(refused.error?.message).not.toContain(base.diagnosis.text);
    expect(await stored(referralId)).toEqual(before);

    expect(await submit(consultant, referralId, { ...broken, ...fixed })).toMatchObject({ status: 'applied', entityVersion: 1 });
    const after = await stored(referralId);
    expect(after.referral.status).toBe('done');
    expect(after.outcomes).toEqual([expect.objectContaining({ status: 'final', ...broken, ...fixed })]);
  });

  it('is refused on a registrar\'s submit too', async () => {
    const referralId = await newReferral(pathway);
    expect(await submit(registrar, referralId, broken)).toMatchObject({ status: 'rejected', error: { code: 'outcome_invalid' } });
    expect(await submit(registrar, referralId, { ...broken, ...fixed })).toMatchObject({ status: 'applied' });
    expect((await stored(referralId)).referral.status).toBe('awaiting-signoff');
  });

});

/**
 * Each rule broken at sign-off: the final answer is judged, whoever wrote each field. The
 * consultant's amendment breaks it (an amendment replaces fields, it cannot remove one), or
 * the registrar's outcome already did, having been submitted before the rules existed (stored
 * directly, as an older service left it).
 */
const SIGN_OFF: {
  rule: OutcomeRule;
  pathway: Pathway;
  registrar: Partial<OutcomeFields> & Pick<OutcomeFields, 'decision'>;
  legacy?: true;
  breaks?: Partial<OutcomeFields>;
  fixes: Partial<OutcomeFields>;
}[] = [
  { rule: 'usc-downgrade-needs-agreement', pathway: 'usc', registrar: { decision: 'usc-appointment' }, breaks: { decision: 'routine-appointment' }, fixes: { decision: 'routine-appointment', referrerAgreement: AGREEMENT } },
  { rule: 'request-info-needs-reason', pathway: 'advice', registrar: { decision: 'advice' }, breaks: { decision: 'request-info' }, fixes: { decision: 'request-info', requestReasons: ['no-dermoscopy'] } },
  { rule: 'discharge-needs-safety-netting', pathway: 'advice', registrar: { decision: 'advice' }, breaks: { decision: 'discharge' }, fixes: { decision: 'discharge', safetyNetting: SAFETY } },
  { rule: 'priority-fits-pathway', pathway: 'advice', registrar: { decision: 'routine-appointment', priority: 'routine' }, breaks: { priority: 'P2' }, fixes: { priority: 'urgent' } },
  { rule: 'waiting-list-needs-priority', pathway: 'waiting-list', registrar: { decision: 'routine-appointment', listReview: 'unchanged' }, legacy: true, fixes: { priority: 'P3' } },
  { rule: 'waiting-list-needs-review', pathway: 'waiting-list', registrar: { decision: 'routine-appointment', priority: 'P3' }, legacy: true, fixes: { listReview: 'deteriorated', priority: 'P2' } },
  {
    rule: 'removal-needs-patient-agreement',
    pathway: 'waiting-list',
    registrar: { decision: 'discharge', priority: 'P4', listReview: 'resolved', safetyNetting: SAFETY, patientAgreedToRemoval: true },
    breaks: { patientAgreedToRemoval: false },
    fixes: { decision: 'routine-appointment' },
  },
];

/** An outcome awaiting sign-off as a service without the rules stored it. */
async function legacyOutcome(referralId: string, fields: OutcomeFields): Promise<string> {
  const id = randomUUID();
  await svc.ctx.repo.transaction(async (tx) => {
    const author = (await tx.findUserByUsername('registrar'))!;
    const referral = (await tx.getReferral(referralId))!;
    const at = new Date().toISOString();
    await tx.insertOutcome({
      ...fields,
      id,
      referralId,
      version: 1,
      status: 'awaiting-signoff',
      author: { id: author.id, name: author.name, role: author.role },
      createdAt: at,
      updatedAt: at,
      submittedAt: at,
      supersedes: null,
      supersededBy: null,
      signedOff: null,
      returned: null,
    });
    await tx.updateReferral({ ...referral, version: referral.version + 1, status: 'awaiting-signoff' });
  });
  return id;
}

const pick = (fields: Partial<OutcomeFields>, names: readonly string[]) =>
  Object.fromEntries(names.filter((k) => fields[k as keyof OutcomeFields] !== undefined).map((k) => [k, fields[k as keyof OutcomeFields]]));

describe.each(SIGN_OFF)('sign-off: $rule', ({ rule, pathway, registrar: fields, legacy, breaks, fixes }) => {
  it('is refused with nothing stored, and signed off once the amendment satisfies it, keeping the registrar\'s values and the comment', async () => {
    const referralId = await newReferral(pathway);
    let outcomeId: string = randomUUID();
    if (legacy) outcomeId = await legacyOutcome(referralId, { ...base, ...fields });
    else expect(await submit(registrar, referralId, fields, outcomeId)).toMatchObject({ status: 'applied', entityVersion: 1 });

    const before = await stored(referralId);
    const refused = await one(consultant, { type: 'outcome.sign-off', entityId: outcomeId, baseVersion: 1, payload: { ...(breaks ? { amend: breaks } : {}), comment: 'Agreed.' } });
    expect(refused).toMatchObject({ status: 'rejected', error: { code: 'outcome_invalid', issues: [expect.objectContaining({ rule })] } });
    expect(await stored(referralId)).toEqual(before);

    const comment = 'Good triage; see the amended fields.';
    expect(await one(consultant, { type: 'outcome.sign-off', entityId: outcomeId, baseVersion: 1, payload: { amend: fixes, comment } })).toMatchObject({ status: 'applied', entityVersion: 2 });
    const after = await stored(referralId);
    expect(after.referral.status).toBe('done');
    const signed = after.outcomes[0]!;
    const changed = Object.keys(fixes).filter((k) => JSON.stringify(fixes[k as keyof OutcomeFields]) !== JSON.stringify(fields[k as keyof OutcomeFields]));
    expect(signed).toMatchObject({ status: 'final', ...fields, ...fixes, author: { role: 'registrar' } });
    expect(signed.signedOff).toMatchObject({ by: { role: 'consultant' }, amended: true, comment });
    // Exactly the changed fields: the registrar's values where they had one.
    expect(signed.signedOff?.before).toEqual(pick(fields, changed));
    expect([...(signed.signedOff?.amendedFields ?? [])].sort()).toEqual([...changed].sort());
  });
});

describe('drafts', () => {
  it('are not checked against the pathway rules, and keep every field, clearing what a later draft leaves out', async () => {
    const referralId = await newReferral('usc');
    const outcomeId = randomUUID();
    // A USC downgrade to discharge with no agreement and no safety-netting: half an answer.
    const half = await one(registrar, { type: 'outcome.save-draft', entityId: outcomeId, payload: { referralId, ...base, decision: 'discharge', priority: 'P2' } });
    expect(half).toMatchObject({ status: 'applied', entityVersion: 1 });

    const every: OutcomeFields = {
      decision: 'usc-appointment',
      diagnosis: { text: 'Melanoma of skin', code: '93655004', system: 'http://snomed.info/sct' },
      adviceToGp: 'Suspected melanoma: seen in the USC clinic.',
      differentials: [{ text: 'Dysplastic naevus', code: '254818000' }, { text: 'Seborrhoeic keratosis' }],
      confidence: 'moderate',
      managementPlan: 'Excision biopsy with 2 mm margins.',
      patientInformation: 'We would like to see you in clinic within two weeks.',
      safetyNetting: SAFETY,
      priority: 'usc',
      followUp: 'Results in clinic.',
      requestReasons: ['no-scale'],
      referrerAgreement: AGREEMENT,
      listReview: 'deteriorated',
      patientAgreedToRemoval: false,
    };
    expect(await one(registrar, { type: 'outcome.save-draft', entityId: outcomeId, baseVersion: 1, payload: { referralId, ...every } })).toMatchObject({ status: 'applied', entityVersion: 2 });
    let outcome = (await consultant.referral(referralId)).outcomes[0]!;
    expect(outcome).toMatchObject({ status: 'draft', ...every });

    const fewer = { decision: 'usc-appointment', diagnosis: every.diagnosis, adviceToGp: every.adviceToGp, confidence: 'high' } as const;
    expect(await one(registrar, { type: 'outcome.save-draft', entityId: outcomeId, baseVersion: 2, payload: { referralId, ...fewer } })).toMatchObject({ status: 'applied', entityVersion: 3 });
    outcome = (await consultant.referral(referralId)).outcomes[0]!;
    expect(outcome).toMatchObject(fewer);
    for (const gone of ['differentials', 'managementPlan', 'patientInformation', 'safetyNetting', 'priority', 'followUp', 'requestReasons', 'referrerAgreement', 'listReview', 'patientAgreedToRemoval']) {
      expect(outcome, gone).not.toHaveProperty(gone);
    }
  });
});

describe('amendments', () => {
  it('are checked against the rules like any submission', async () => {
    const referralId = await newReferral('advice');
    const first = randomUUID();
    expect(await submit(consultant, referralId, { decision: 'advice' }, first)).toMatchObject({ status: 'applied' });
    const amend = (fields: Partial<OutcomeFields>) => one(consultant, { type: 'outcome.submit', entityId: randomUUID(), payload: { referralId, ...base, decision: 'discharge', supersedes: first, ...fields } });
    expect(await amend({})).toMatchObject({ status: 'rejected', error: { code: 'outcome_invalid', issues: [{ field: 'safetyNetting', rule: 'discharge-needs-safety-netting' }] } });
    expect((await stored(referralId)).outcomes.map((o) => o.status)).toEqual(['final']);
    expect(await amend({ safetyNetting: SAFETY })).toMatchObject({ status: 'applied' });
    expect((await stored(referralId)).outcomes.map((o) => o.status)).toEqual(['superseded', 'final']);
  });
});

describe('the sign-off in the feed', () => {
  it('shows the registrar the final outcome with the comment, what was amended and their own values', async () => {
    const referralId = await newReferral('usc');
    const outcomeId = randomUUID();
    expect(await submit(registrar, referralId, { decision: 'usc-appointment', priority: 'usc', confidence: 'low' }, outcomeId)).toMatchObject({ status: 'applied' });
    const amend = { decision: 'discharge', safetyNetting: SAFETY, referrerAgreement: AGREEMENT, confidence: 'high', adviceToGp: base.adviceToGp } as const;
    expect(await one(consultant, { type: 'outcome.sign-off', entityId: outcomeId, baseVersion: 1, payload: { amend, comment: 'Classic seborrhoeic keratosis; safe to discharge.' } })).toMatchObject({ status: 'applied', entityVersion: 2 });
    const changes: Change[] = (await allChanges(registrar)).filter((c) => c.id === outcomeId);
    const last = changes.at(-1)!.data as Outcome;
    expect(last).toMatchObject({ status: 'final', decision: 'discharge', confidence: 'high', safetyNetting: SAFETY });
    // adviceToGp was sent unchanged: not an amendment.
    expect(last.signedOff).toMatchObject({
      amended: true,
      comment: 'Classic seborrhoeic keratosis; safe to discharge.',
      before: { decision: 'usc-appointment', confidence: 'low' },
    });
    expect([...(last.signedOff?.amendedFields ?? [])].sort()).toEqual(['confidence', 'decision', 'referrerAgreement', 'safetyNetting']);

    // The GP gets the final outcome and who signed it off, not the supervision around it.
    const gpView = (await allChanges(gp)).filter((c) => c.id === outcomeId).at(-1)!.data as Outcome;
    expect(gpView).toMatchObject({ status: 'final', decision: 'discharge', safetyNetting: SAFETY, returned: null, signedOff: { by: { role: 'consultant' }, amended: true } });
    expect(gpView.signedOff).not.toHaveProperty('comment');
    expect(gpView.signedOff).not.toHaveProperty('before');
    expect(gpView.signedOff).not.toHaveProperty('amendedFields');
    const audit = await svc.ctx.repo.read((tx) => tx.auditForEntity(outcomeId));
    const signOff = audit.find((e) => e.action === 'outcome.sign-off');
    expect(signOff?.detail).toMatchObject({ amended: true, commented: true, amendedFields: 'decision,confidence,safetyNetting,referrerAgreement' });
    expect(JSON.stringify(signOff?.detail)).not.toContain('keratosis');
  });
});

describe('requests for information', () => {
  it('keep their structured reasons, shown to the GP', async () => {
    const referralId = await newReferral('advice');
    const reasons = ['blurred', 'no-scale', 'blurred'];
    expect(await one(consultant, { type: 'referral.request-info', entityId: referralId, baseVersion: 1, payload: { kind: 'better-images', message: 'Please retake.', reasons } }).then((r) => r.status)).toBe('applied');
    const referral = (await allChanges(gp)).filter((c) => c.id === referralId).at(-1)!.data as Referral;
    expect(referral.infoRequests).toEqual([expect.objectContaining({ kind: 'better-images', message: 'Please retake.', reasons: ['blurred', 'no-scale'] })]);
    // Older clients send none.
    expect(await one(consultant, { type: 'referral.request-info', entityId: referralId, baseVersion: 2, payload: { message: 'And the history?' } }).then((r) => r.status)).toBe('applied');
    expect((await stored(referralId)).referral.infoRequests[1]).not.toHaveProperty('reasons');
  });
});
