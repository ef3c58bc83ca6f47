import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionResponse, type AuditEvent } from '../../shared/contract';
import { throttleKey } from '../../service/auth/session-service';
import { PASSWORD, startService, type RunningService } from './harness';

/*
 * Sessions against a real service whose clock the test moves: sign-out, idle timeout,
 * absolute expiry, sign-in throttling per username and per address, disabled users.
 */

const START = Date.parse('2026-11-24T09:00:00.000Z');
const MINUTE = 60_000;

/** A service with its own clock, moved only by `advance`. */
async function clockedService(overrides: Parameters<typeof startService>[0] = {}) {
  let t = START;
  const svc = await startService(overrides, { now: () => new Date(t) });
  return { svc, advance: (minutes: number) => void (t += minutes * MINUTE), now: () => t };
}

const api = (svc: RunningService, path: string) => `${svc.url}/api/v1${path}`;

function signIn(svc: RunningService, username: string, password: string): Promise<Response> {
  return fetch(api(svc, '/sessions'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
}

async function tokenFor(svc: RunningService, username: string): Promise<SessionResponse> {
  const res = await signIn(svc, username, PASSWORD);
  expect(res.status, `sign-in as ${username}`).toBe(201);
  return SessionResponse.parse(await res.json());
}

/** The status of an authenticated call: 200 while the token works, 401 once it does not. */
async function statusWith(svc: RunningService, token: string): Promise<number> {
  const res = await fetch(api(svc, '/changes?limit=1'), { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}

async function allAudit(svc: RunningService): Promise<AuditEvent[]> {
  return svc.ctx.repo.read((tx) => tx.auditPage(0, 100_000));
}

async function userId(svc: RunningService, username: string): Promise<string> {
  const u = await svc.ctx.repo.read((tx) => tx.findUserByUsername(username));
  if (!u) throw new Error(`no user ${username}`);
  return u.id;
}

describe('session lifetime', () => {
  let c: Awaited<ReturnType<typeof clockedService>>;
  beforeAll(async () => {
    c = await clockedService();
  });
  afterAll(async () => {
    await c?.svc.close();
  });

  it('revokes the token on DELETE /sessions/current, and audits the sign-out', async () => {
    const { token } = await tokenFor(c.svc, 'consultant');
    expect(await statusWith(c.svc, token)).toBe(200);
    const out = await fetch(api(c.svc, '/sessions/current'), { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(out.status).toBe(204);
    expect(await statusWith(c.svc, token)).toBe(401);
    const again = await fetch(api(c.svc, '/sessions/current'), { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(again.status).toBe(401);
    const consultantId = await userId(c.svc, 'consultant');
    expect((await allAudit(c.svc)).filter((e) => e.action === 'session.sign-out' && e.actorId === consultantId)).toHaveLength(1);
  });

  it('ends a session after 30 idle minutes, while use keeps it alive', async () => {
    const idle = await tokenFor(c.svc, 'registrar');
    const active = await tokenFor(c.svc, 'registrar');
    c.advance(29);
    expect(await statusWith(c.svc, active.token)).toBe(200);
    c.advance(1);
    // 30 minutes without use: the idle one has ended; the one used a minute ago has not.
    expect(await statusWith(c.svc, idle.token)).toBe(401);
    c.advance(28);
    expect(await statusWith(c.svc, active.token)).toBe(200);
    c.advance(30);
    expect(await statusWith(c.svc, active.token)).toBe(401);
  });

  it('ends a session at its absolute expiry (12 h) however busy it is', async () => {
    const session = await tokenFor(c.svc, 'gp');
    expect(Date.parse(session.expiresAt)).toBe(c.now() + 720 * MINUTE);
    for (let minutes = 25; minutes < 720; minutes += 25) {
      c.advance(25);
      expect(await statusWith(c.svc, session.token), `after ${minutes} minutes`).toBe(200);
    }
    c.advance(720 - 700); // now exactly 12 h after sign-in, used 20 minutes ago
    expect(await statusWith(c.svc, session.token)).toBe(401);
  });

  it('refuses a disabled user: existing tokens stop working and sign-in fails', async () => {
    const { token } = await tokenFor(c.svc, 'gp2');
    expect(await statusWith(c.svc, token)).toBe(200);
    await c.svc.ctx.repo.transaction(async (tx) => {
      const u = await tx.findUserByUsername('gp2');
      await tx.updateUser({ ...u!, disabled: true });
    });
    expect(await statusWith(c.svc, token)).toBe(401);
    const res = await signIn(c.svc, 'gp2', PASSWORD);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_credentials' } });
  });
});

describe('sign-in throttling per username', () => {
  let c: Awaited<ReturnType<typeof clockedService>>;
  beforeAll(async () => {
    c = await clockedService();
  });
  afterAll(async () => {
    await c?.svc.close();
  });

  it('answers 429 with Retry-After after 5 failures, refuses even the right password, and lets it in once the window has passed', async () => {
    for (let i = 1; i <= 5; i++) {
      const res = await signIn(c.svc, 'gp', `wrong-guess-${i}`);
      expect(res.status, `failure ${i}`).toBe(401);
    }
    const sixth = await signIn(c.svc, 'gp', 'wrong-guess-6');
    expect(sixth.status).toBe(429);
    expect(sixth.headers.get('retry-after')).toBe('900');
    expect(await sixth.json()).toMatchObject({ error: { code: 'too_many_attempts', message: expect.any(String) } });

    // The password is not even checked while throttled.
    expect((await signIn(c.svc, 'gp', PASSWORD)).status).toBe(429);
    // Other users from the same address are not held up by this username's limit.
    expect((await signIn(c.svc, 'registrar', PASSWORD)).status).toBe(201);

    c.advance(14);
    expect((await signIn(c.svc, 'gp', PASSWORD)).status).toBe(429);
    c.advance(1);
    expect((await signIn(c.svc, 'gp', PASSWORD)).status).toBe(201);

    const gpId = await userId(c.svc, 'gp');
    const throttled = (await allAudit(c.svc)).filter((e) => e.action === 'session.sign-in-throttled');
    expect(throttled).toHaveLength(3);
    expect(throttled.every((e) => e.actorId === gpId && e.detail.limit === 'username')).toBe(true);
  });

  it('forgets failures once they are older than the window', async () => {
    c.advance(60);
    const key = throttleKey('someone-who-is-not-a-user');
    const count = () => c.svc.ctx.repo.read((tx) => tx.countSignInFailures({ username: key }, '1970-01-01T00:00:00.000Z'));
    for (let i = 0; i < 3; i++) expect((await signIn(c.svc, 'someone-who-is-not-a-user', 'guess')).status).toBe(401);
    expect(await count()).toBe(3);
    c.advance(16);
    // Any later sign-in prunes what no longer counts (at most once a minute per instance).
    expect((await signIn(c.svc, 'registrar', PASSWORD)).status).toBe(201);
    expect(await count()).toBe(0);
  });

  it('clears the failures of a username when it signs in', async () => {
    c.advance(60);
    for (let i = 0; i < 4; i++) expect((await signIn(c.svc, 'consultant', 'not-it')).status).toBe(401);
    expect((await signIn(c.svc, 'consultant', PASSWORD)).status).toBe(201);
    // Five more failures are allowed again; without the clearing the second would be refused.
    for (let i = 0; i < 5; i++) expect((await signIn(c.svc, 'consultant', 'not-it')).status, `failure ${i + 1} after sign-in`).toBe(401);
    expect((await signIn(c.svc, 'consultant', 'not-it')).status).toBe(429);
  });

  it('counts a burst of parallel guesses exactly: 5 are checked, the rest refused', async () => {
    c.advance(60);
    const statuses = await Promise.all(Array.from({ length: 10 }, (_, i) => signIn(c.svc, 'admin', `parallel-${i}`).then((r) => r.status)));
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
  });

  it('keeps a mistyped username (maybe a password) out of the audit and the failure records', async () => {
    c.advance(60);
    const secret = 'Correct-Horse-Battery-Staple-7';
    for (let i = 0; i < 5; i++) expect((await signIn(c.svc, secret, 'whatever')).status).toBe(401);
    expect((await signIn(c.svc, secret, 'whatever')).status).toBe(429);

    const events = await allAudit(c.svc);
    const last = events.filter((e) => e.action === 'session.sign-in-throttled').at(-1)!;
    expect(last).toMatchObject({ actorId: null, detail: { limit: 'username' } });
    expect(JSON.stringify(events)).not.toContain(secret);
    // Failures are kept under a hash of the username, never the text typed.
    const epoch = new Date(0).toISOString();
    expect(await c.svc.ctx.repo.read((tx) => tx.countSignInFailures({ username: secret }, epoch))).toBe(0);
    expect(await c.svc.ctx.repo.read((tx) => tx.countSignInFailures({ username: throttleKey(secret) }, epoch))).toBe(5);
  });
});

describe('sign-in throttling per address', () => {
  let c: Awaited<ReturnType<typeof clockedService>>;
  beforeAll(async () => {
    c = await clockedService({ signInThrottle: { windowMinutes: 15, maxPerUsername: 5, maxPerAddress: 8 } });
  });
  afterAll(async () => {
    await c?.svc.close();
  });

  it('refuses every username from an address after its failures for many usernames reach the limit', async () => {
    for (let i = 1; i <= 8; i++) expect((await signIn(c.svc, `nobody-${i}`, 'guess')).status, `username ${i}`).toBe(401);
    const next = await signIn(c.svc, 'nobody-9', 'guess');
    expect(next.status).toBe(429);
    expect(next.headers.get('retry-after')).toBe('900');
    // A user with no failures of their own is refused too: it is the address that is limited.
    expect((await signIn(c.svc, 'consultant', PASSWORD)).status).toBe(429);

    const consultantId = await userId(c.svc, 'consultant');
    const throttled = (await allAudit(c.svc)).filter((e) => e.action === 'session.sign-in-throttled');
    expect(throttled.map((e) => [e.actorId, e.detail.limit])).toEqual([[null, 'address'], [consultantId, 'address']]);

    c.advance(15);
    expect((await signIn(c.svc, 'consultant', PASSWORD)).status).toBe(201);
  });
});
