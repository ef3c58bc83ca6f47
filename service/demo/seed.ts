import { createHash, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Mutation, Role } from '../../shared/contract';
import { newUser } from '../auth/session-service';
import type { ServiceContext } from '../context';
import { applyMutation } from '../domain/apply-mutation';
import { createReferral, type UploadedImage } from '../referrals/create-referral';
import { demoReferrals, type DemoReferral } from './cases';

export const DEMO_PASSWORD = 'loupe-demo';

export const DEMO_USERS: readonly { username: string; name: string; role: Role }[] = [
  { username: 'consultant', name: 'Dr Helen Carter', role: 'consultant' },
  { username: 'registrar', name: 'Dr Tom Okafor', role: 'registrar' },
  { username: 'gp', name: 'Dr Priya Shah', role: 'referrer' },
  { username: 'admin', name: 'Service Administrator', role: 'admin' },
];

type Log = (line: string) => void;

/**
 * Seeds an empty database with the demo users and synthetic referrals. Every image goes
 * through the same ingest pipeline as an upload, and historical outcomes through the same
 * mutation code as a clinician's, so the demo exercises the real paths.
 */
export async function seedDemo(ctx: ServiceContext, log: Log = () => {}): Promise<{ users: number; referrals: number }> {
  let users = 0;
  if ((await ctx.repo.read((tx) => tx.countUsers())) === 0) {
    const rows = await Promise.all(DEMO_USERS.map((u) => newUser(u.username, u.name, u.role, DEMO_PASSWORD)));
    await ctx.repo.transaction(async (tx) => {
      for (const row of rows) await tx.insertUser(row);
    });
    users = rows.length;
  }
  if ((await ctx.repo.read((tx) => tx.countReferrals())) > 0) return { users, referrals: 0 };

  const [gp, consultant, registrar] = await ctx.repo.read(async (tx) => [
    await tx.findUserByUsername('gp'),
    await tx.findUserByUsername('consultant'),
    await tx.findUserByUsername('registrar'),
  ]);
  if (!gp || !consultant || !registrar) throw new Error('demo users gp, consultant and registrar are needed to seed referrals');
  const cases = demoReferrals(ctx.now()).sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  const started = Date.now();
  for (const [i, demo] of cases.entries()) {
    await seedOne(ctx, demo, gp, consultant, registrar);
    if ((i + 1) % 10 === 0) log(`seeded demo referral ${i + 1}/${cases.length}`);
  }
  log(`seeded ${cases.length} demo referrals in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { users, referrals: cases.length };
}

type DemoActor = { id: string; name: string; role: Role };

/**
 * Current referrals the demo shows part-way through the workflow, done by the registrar
 * through the real mutation code: one awaiting a consultant's sign-off, one waiting for the GP.
 */
const IN_PROGRESS: Readonly<Record<string, (referralId: string) => Pick<Mutation, 'type' | 'entityId' | 'payload' | 'baseVersion'>>> = {
  'waiting-list-06': (referralId) => ({
    type: 'outcome.submit',
    entityId: randomUUID(),
    payload: {
      referralId,
      decision: 'discharge',
      diagnosis: { text: 'Actinic keratosis, responding to treatment', code: '201101007', system: 'http://snomed.info/sct' },
      adviceToGp: 'Actinic keratosis that has responded to 5-fluorouracil; no appointment is needed. Sun protection advice given. Re-refer if a lesion persists after treatment, grows, bleeds or becomes tender.',
      safetyNetting: 'Seek review if a treated patch comes back, thickens, bleeds or becomes tender.',
      priority: 'P4',
      listReview: 'resolved',
      patientAgreedToRemoval: true,
    },
  }),
  'waiting-list-07': (referralId) => ({
    type: 'referral.request-info',
    entityId: referralId,
    baseVersion: 1,
    payload: { kind: 'more-information', message: 'Has patch testing been done elsewhere? Please also send a close-up of the palm of the same hand.' },
  }),
};

async function seedOne(ctx: ServiceContext, demo: DemoReferral, gp: DemoActor, consultant: DemoActor, registrar: DemoActor) {
  const dir = await ctx.store.stagingDir();
  try {
    const uploads = new Map<string, UploadedImage>();
    for (const [part, render] of Object.entries(demo.files)) {
      const bytes = await render();
      const tempFile = path.join(dir, `${part}.upload`);
      await writeFile(tempFile, bytes);
      uploads.set(part, { part, tempFile, sha256: createHash('sha256').update(bytes).digest('hex') });
    }
    const created = await createReferral(
      { repo: ctx.repo, store: ctx.store, pyramids: ctx.pyramids, limits: ctx.config.limits, targetWorkingDays: ctx.config.targetWorkingDays },
      demo.submission,
      uploads,
      gp,
      demo.receivedAt,
    );
    if (demo.priorOutcome) {
      const decidedAt = new Date(demo.receivedAt.getTime() + 24 * 3600_000);
      const result = await ctx.repo.transaction((tx) =>
        applyMutation(tx, consultant, { id: randomUUID(), type: 'outcome.submit', entityId: randomUUID(), payload: { referralId: created.id, ...demo.priorOutcome }, clientTime: decidedAt.toISOString() }, decidedAt),
      );
      if (result.status !== 'applied') throw new Error(`demo outcome for ${demo.key} was ${result.status}: ${result.error?.message}`);
    }
    const step = IN_PROGRESS[demo.key];
    if (step) {
      const at = new Date(Math.min(demo.receivedAt.getTime() + 3 * 3600_000, ctx.now().getTime()));
      const result = await ctx.repo.transaction((tx) => applyMutation(tx, registrar, { id: randomUUID(), clientTime: at.toISOString(), ...step(created.id) }, at));
      if (result.status !== 'applied') throw new Error(`demo workflow step for ${demo.key} was ${result.status}: ${result.error?.message}`);
    }
  } finally {
    await ctx.store.discard(dir);
  }
}
