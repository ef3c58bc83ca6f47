import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuditList, AuditVerification, ReferralCreated, type AuditEvent } from '../../shared/contract';
import type { ServiceClient } from '../../shared/client/service-client';
import { postReferral, referralBody, startService, testJpeg, type RunningService } from './harness';

/*
 * The audit endpoints, and the hash chain under attack: rows edited, deleted and forged
 * directly in the database (past the service), on whichever backend this project runs.
 */

const tokenOf = (c: ServiceClient) => c.currentToken() ?? '';
const api = (svc: RunningService, path: string) => `${svc.url}/api/v1${path}`;

async function getJson(svc: RunningService, path: string, token?: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(api(svc, path), { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: await res.json() };
}

async function allAudit(svc: RunningService): Promise<AuditEvent[]> {
  return svc.ctx.repo.read((tx) => tx.auditPage(0, 1_000_000));
}

async function userId(svc: RunningService, username: string): Promise<string> {
  const u = await svc.ctx.repo.read((tx) => tx.findUserByUsername(username));
  if (!u) throw new Error(`no user ${username}`);
  return u.id;
}

const SQLITE_TRIGGERS = `
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;`;

/**
 * Runs `sql` on the audit table as someone with direct database access would: with the
 * append-only triggers switched off for the statement, and back on afterwards.
 */
async function tamper(svc: RunningService, sql: string): Promise<void> {
  if (svc.ctx.repo.kind === 'sqlite') {
    await svc.exec(`DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; ${sql}; ${SQLITE_TRIGGERS}`);
  } else {
    await svc.exec(`ALTER TABLE audit_events DISABLE TRIGGER USER; ${sql}; ALTER TABLE audit_events ENABLE TRIGGER USER;`);
  }
}

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

interface Scene {
  svc: RunningService;
  admin: ServiceClient;
  gp: ServiceClient;
  consultant: ServiceClient;
  referralId: string;
  imageId: string;
}

/** A service with a short, real chain: sign-ins, a referral, a view of it and of its image, a claim. */
async function scene(): Promise<Scene> {
  const svc = await startService();
  const [admin, gp, consultant] = await Promise.all([svc.signedIn('admin'), svc.signedIn('gp'), svc.signedIn('consultant')]);
  const res = await postReferral(svc, tokenOf(gp), referralBody(['photo']), { photo: await testJpeg(300, 200) });
  expect(res.status).toBe(201);
  const created = ReferralCreated.parse(await res.json());
  const imageId = created.images[0]!.id;
  expect((await fetch(api(svc, `/referrals/${created.id}`), { headers: consultant.authHeader })).status).toBe(200);
  expect((await fetch(api(svc, `/images/${imageId}/image.dzi`), { headers: consultant.authHeader })).status).toBe(200);
  const claim = { id: randomUUID(), type: 'referral.claim' as const, entityId: created.id, baseVersion: 1, payload: {}, clientTime: new Date().toISOString() };
  expect((await consultant.mutate([claim])).results[0]).toMatchObject({ status: 'applied' });
  return { svc, admin, gp, consultant, referralId: created.id, imageId };
}

async function verify(s: Scene): Promise<AuditVerification> {
  const { status, body } = await getJson(s.svc, '/audit/verify', tokenOf(s.admin));
  expect(status).toBe(200);
  return AuditVerification.parse(body);
}

describe('GET /audit?entityId', () => {
  let s: Scene;
  beforeAll(async () => {
    s = await scene();
  });
  afterAll(async () => {
    await s?.svc.close();
  });

  it('lists the creation, views and mutations of a referral with their actors, in order', async () => {
    const { status, body } = await getJson(s.svc, `/audit?entityId=${s.referralId}`, tokenOf(s.consultant));
    expect(status).toBe(200);
    const { events } = AuditList.parse(body);
    const [gpId, consultantId] = [await userId(s.svc, 'gp'), await userId(s.svc, 'consultant')];
    expect(events.map((e) => [e.action, e.actorId])).toEqual([
      ['referral.create', gpId],
      ['referral.view', consultantId],
      ['referral.claim', consultantId],
    ]);
    expect(events.every((e) => e.entityId === s.referralId)).toBe(true);
    expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b));

    const image = AuditList.parse((await getJson(s.svc, `/audit?entityId=${s.imageId}`, tokenOf(s.admin))).body);
    expect(image.events.map((e) => [e.action, e.actorId, e.detail.referralId])).toEqual([['image.view', consultantId, s.referralId]]);
  });

  it('audits the read itself', async () => {
    const consultantId = await userId(s.svc, 'consultant');
    await getJson(s.svc, `/audit?entityId=${s.referralId}`, tokenOf(s.consultant));
    const { events } = AuditList.parse((await getJson(s.svc, `/audit?entityId=${s.referralId}`, tokenOf(s.admin))).body);
    expect(events.filter((e) => e.action === 'audit.read').map((e) => e.actorId)).toContain(consultantId);
  });

  it('answers an unknown entity with an empty list', async () => {
    const { status, body } = await getJson(s.svc, `/audit?entityId=${randomUUID()}`, tokenOf(s.admin));
    expect(status).toBe(200);
    expect(body).toEqual({ events: [] });
  });

  it('is for consultants and admins only: 403 for a registrar and a GP, 401 without a token', async () => {
    const registrar = await s.svc.signedIn('registrar');
    for (const c of [registrar, s.gp]) {
      const { status, body } = await getJson(s.svc, `/audit?entityId=${s.referralId}`, tokenOf(c));
      expect(status).toBe(403);
      expect(body).toMatchObject({ error: { code: 'forbidden', message: expect.any(String) } });
    }
    const anonymous = await getJson(s.svc, `/audit?entityId=${s.referralId}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it.each([
    ['/audit?entityId=not-a-uuid'],
    ['/audit'],
    ['/audit?entityId='],
    [`/audit?entityId=${randomUUID()}&extra=1`],
  ])('refuses %s with 400 and the error body', async (path) => {
    const { status, body } = await getJson(s.svc, path, tokenOf(s.consultant));
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: 'invalid_request', message: expect.any(String) } });
  });
});

describe('GET /audit/verify', () => {
  let s: Scene;
  beforeAll(async () => {
    s = await scene();
  });
  afterAll(async () => {
    await s?.svc.close();
  });

  it('is for admins only', async () => {
    for (const c of [s.consultant, s.gp]) expect((await getJson(s.svc, '/audit/verify', tokenOf(c))).status).toBe(403);
    expect((await getJson(s.svc, '/audit/verify')).status).toBe(401);
  });

  it('reports an intact chain with every event counted, then audits the verification after it', async () => {
    const rows = (await allAudit(s.svc)).length;
    expect(rows).toBeGreaterThanOrEqual(7); // 3 sign-ins, the referral, 2 views, the claim
    expect(await verify(s)).toEqual({ ok: true, events: rows });
    const last = (await allAudit(s.svc)).at(-1)!;
    expect(last).toMatchObject({ seq: rows + 1, action: 'audit.verify', actorId: await userId(s.svc, 'admin'), detail: { ok: true, events: rows } });
    // The verification's own event links into the chain like any other.
    expect(await verify(s)).toEqual({ ok: true, events: rows + 1 });
  });

  it('refuses UPDATE and DELETE of audit rows through plain SQL while the triggers are on', async () => {
    const before = await allAudit(s.svc);
    await expect(s.svc.exec(`UPDATE audit_events SET action = 'referral.view' WHERE seq = 2`)).rejects.toThrow(/append-only/);
    await expect(s.svc.exec('DELETE FROM audit_events WHERE seq = 2')).rejects.toThrow(/append-only/);
    expect(await allAudit(s.svc)).toEqual(before);
    expect(await verify(s)).toEqual({ ok: true, events: before.length });
  });
});

describe('GET /audit/verify on a tampered database', () => {
  // A fresh service per case: each leaves its chain broken.
  let s: Scene | undefined;
  afterEach(async () => {
    await s?.svc.close();
    s = undefined;
  });

  it('finds an edited detail and an edited action at their own seq, and nothing once restored', async () => {
    s = await scene();
    const created = (await allAudit(s.svc)).find((e) => e.action === 'referral.create')!;
    const original = JSON.stringify(created.detail);
    await tamper(s.svc, `UPDATE audit_events SET detail = ${sqlString(JSON.stringify({ ...created.detail, images: 7 }))} WHERE seq = ${created.seq}`);
    expect(await verify(s)).toEqual({ ok: false, brokenAt: created.seq, reason: expect.stringMatching(/altered/) });

    await tamper(s.svc, `UPDATE audit_events SET detail = ${sqlString(original)} WHERE seq = ${created.seq}`);
    const intact = await verify(s);
    expect(intact.ok).toBe(true);

    const view = (await allAudit(s.svc)).find((e) => e.action === 'referral.view')!;
    await tamper(s.svc, `UPDATE audit_events SET action = 'referral.claim' WHERE seq = ${view.seq}`);
    expect(await verify(s)).toMatchObject({ ok: false, brokenAt: view.seq });
  });

  it('finds a deleted middle row at the gap', async () => {
    s = await scene();
    const events = await allAudit(s.svc);
    const middle = events[Math.floor(events.length / 2)]!;
    expect(middle.seq).toBeLessThan(events.at(-1)!.seq);
    await tamper(s.svc, `DELETE FROM audit_events WHERE seq = ${middle.seq}`);
    expect(await verify(s)).toEqual({ ok: false, brokenAt: middle.seq, reason: expect.stringMatching(/missing/) });
  });

  it('finds a forged row appended with a made-up hash', async () => {
    s = await scene();
    const head = (await allAudit(s.svc)).at(-1)!;
    // The forger links to the real head, but cannot produce the hash without recomputing it.
    const forged = `INSERT INTO audit_events (seq, at, actor_id, action, entity_type, entity_id, detail, prev_hash, hash)
      VALUES (${head.seq + 1}, '2026-11-24T10:00:00.000Z', NULL, 'user.add', 'user', ${sqlString(randomUUID())}, '{}', '${head.hash}', '${'ab'.repeat(32)}')`;
    await tamper(s.svc, forged);
    expect(await verify(s)).toEqual({ ok: false, brokenAt: head.seq + 1, reason: expect.stringMatching(/altered/) });
  });

  it('cannot see the newest events deleted (truncation at the tail): a known limit of a bare hash chain', async () => {
    s = await scene();
    const events = await allAudit(s.svc);
    await tamper(s.svc, `DELETE FROM audit_events WHERE seq = ${events.at(-1)!.seq}`);
    // Still "intact", one event shorter: only a head recorded elsewhere would reveal it.
    expect(await verify(s)).toEqual({ ok: true, events: events.length - 1 });
  });
});
