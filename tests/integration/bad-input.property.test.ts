/**
 * Bad input, property-based: whatever a client sends, the service answers below 500, every
 * 4xx carries the contract's error body (`ErrorBody`), input the contract's schemas refuse is
 * refused, and a refused request leaves the stored state as it was.
 *
 * One real service, many random requests per endpoint (fast-check): fully random JSON, random
 * text (malformed JSON), and near misses: a valid body with one thing changed (a wrong type,
 * a missing or unknown key, a huge or odd string, an odd number). Requests go out through
 * `node:http` with the path written verbatim, so `..`, `%2F` and broken escapes reach the
 * server as sent (`fetch` would normalise them).
 *
 * "Stored state" is what clients can see change: the change feed (every write appends to it
 * in the same transaction) and the referral's detail; for uploads also the image store.
 * Audit events are not compared: refused sign-ins and views are audited on purpose.
 *
 * A failure names the offending input (fast-check's counterexample, shrunk). Scale the number
 * of runs with LOUPE_PROPERTY_SCALE (e.g. 5 for a long soak) and replay a run with
 * LOUPE_PROPERTY_SEED=<seed from the report>.
 */
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_BASE,
  AuditList,
  AuditQuery,
  AuditVerification,
  ChangesPage,
  ChangesQuery,
  Decision,
  ErrorBody,
  ImageKind,
  Metrics,
  MetricsQuery,
  MutationBatch,
  MutationResults,
  MutationType,
  Pathway,
  ReferralCreated,
  ReferralDetail,
  ReferralFollowUp,
  ReferralSubmission,
  SignInRequest,
  type Role,
} from '../../shared/contract';
import { readReferralDetail } from '../../service/referrals/referral-detail';
import { PASSWORD, referralBody, startService, testJpeg, type RunningService } from './harness';

// ---------------------------------------------------------------------------------------------
// Run settings

const SCALE = Number(process.env.LOUPE_PROPERTY_SCALE ?? 1) || 1;
const SEED = process.env.LOUPE_PROPERTY_SEED ? Number(process.env.LOUPE_PROPERTY_SEED) : undefined;
const settings = <T>(numRuns: number): fc.Parameters<T> => ({
  numRuns: Math.max(1, Math.round(numRuns * SCALE)),
  ...(SEED === undefined ? {} : { seed: SEED }),
});

type Who = 'consultant' | 'registrar' | 'gp' | 'admin';
const WHO: readonly Who[] = ['consultant', 'registrar', 'gp', 'admin'];
const ROLE: Record<Who, Role> = { consultant: 'consultant', registrar: 'registrar', gp: 'referrer', admin: 'admin' };

let svc: RunningService;
const tokens = {} as Record<Who, string>;
let referral: ReferralCreated;
let imageId: string;
let jpeg: Buffer;
/** The stored state as it should be now: moved on only by requests that were allowed to change it. */
let state: StoredState;

// ---------------------------------------------------------------------------------------------
// HTTP, verbatim

interface Sent {
  method?: string;
  /** Below `/api/v1`, sent exactly as written (only characters Node refuses are escaped). */
  path: string;
  as?: Who | null;
  headers?: Record<string, string>;
  body?: string | Buffer;
}
interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** Node refuses request paths with characters outside U+0021–U+00FF; escape only those. */
const sendable = (p: string) => p.replace(/[^\u0021-\u00ff]/gu, (c) => encodeURIComponent(c));

function send(req: Sent): Promise<Answer> {
  const url = new URL(svc.url);
  const headers: Record<string, string> = { ...(req.headers ?? {}) };
  if (req.as) headers.authorization = `Bearer ${tokens[req.as]}`;
  if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
  return new Promise((resolve, reject) => {
    const r = http.request(
      { agent, host: url.hostname, port: url.port, method: req.method ?? 'GET', path: `${API_BASE}${sendable(req.path)}`, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    r.setTimeout(30_000, () => r.destroy(new Error(`no answer to ${req.method ?? 'GET'} ${req.path}`)));
    r.on('error', reject);
    r.end(req.body);
  });
}

const sendJson = (path: string, body: string, as: Who | null, contentType = 'application/json') =>
  send({ method: 'POST', path, as, headers: { 'content-type': contentType }, body });

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const short = (s: string) => (s.length > 400 ? `${s.slice(0, 400)}…` : s);

/** Below 500, and every 4xx with the contract's error body. */
function expectWellFormed(a: Answer, what: string): void {
  if (a.status >= 500 || a.status < 100) throw new Error(`${what}: answered ${a.status}: ${short(a.text)}`);
  if (a.status >= 400 && !ErrorBody.safeParse(json(a.text)).success) {
    throw new Error(`${what}: ${a.status} without the contract's error body: ${short(a.text)}`);
  }
}

function expectRefused(a: Answer, what: string): void {
  expectWellFormed(a, what);
  if (a.status < 400) throw new Error(`${what}: invalid input accepted with ${a.status}: ${short(a.text)}`);
}

/** `/api/v1/no-such-route` answers 404 "No route": an endpoint not built yet (audit, before #3). */
const isMissingRoute = (a: Answer) =>
  a.status === 404 && ErrorBody.safeParse(json(a.text)).data?.error.message.startsWith('No route') === true;

// ---------------------------------------------------------------------------------------------
// Stored state

interface StoredState {
  /** The change feed's cursor at its end: anything written since shows up after it. */
  cursor: string;
  /** The referral's detail read past the HTTP API (a read through it would be audited). */
  detail: string;
  /** Pyramids and originals in the image store, by name. */
  files: string;
}

const imagesRoot = () => path.join(svc.dataDir, 'images');

async function twoLevels(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const a of await readdir(dir).catch(() => [] as string[])) {
    for (const b of await readdir(path.join(dir, a)).catch(() => [] as string[])) out.push(`${a}/${b}`);
  }
  return out.sort();
}

async function storedFiles(): Promise<string> {
  const [pyramids, originals] = await Promise.all([twoLevels(path.join(imagesRoot(), 'pyramids')), twoLevels(path.join(imagesRoot(), 'originals'))]);
  return JSON.stringify({ pyramids, originals });
}

async function readDetail(): Promise<string> {
  return JSON.stringify(await svc.ctx.repo.read((tx) => readReferralDetail(tx, referral.id)));
}

async function snapshot(): Promise<StoredState> {
  let after: string | undefined;
  for (;;) {
    const a = await send({ path: `/changes?limit=5000${after ? `&after=${after}` : ''}`, as: 'consultant' });
    expect(a.status, a.text).toBe(200);
    const page = ChangesPage.parse(JSON.parse(a.text));
    after = page.cursor;
    if (!page.hasMore) break;
  }
  return { cursor: after, detail: await readDetail(), files: await storedFiles() };
}

/** Throws, naming what moved, if anything was stored since `before`. */
async function expectUnchanged(before: StoredState, what: string, opts: { files?: boolean } = {}): Promise<void> {
  const a = await send({ path: `/changes?after=${before.cursor}&limit=20`, as: 'consultant' });
  const page = ChangesPage.parse(JSON.parse(a.text));
  if (page.changes.length > 0) {
    const moved = page.changes.map((c) => `${c.type} ${c.id} v${c.version}`).join(', ');
    throw new Error(`${what}: a refused request changed the feed: ${moved}`);
  }
  if ((await readDetail()) !== before.detail) throw new Error(`${what}: a refused request changed the referral's detail`);
  if (opts.files) {
    if ((await storedFiles()) !== before.files) throw new Error(`${what}: a refused upload left files in the image store`);
    // Uploads are staged per request (inside this instance's staging folder) and removed
    // before the answer to a refused one.
    const staging = (await readdir(path.join(imagesRoot(), 'staging'), { recursive: true })).filter((p) => p.includes(path.sep));
    if (staging.length > 0) throw new Error(`${what}: a refused upload left ${staging.length} staging folder(s)`);
  }
}

/** After a request: refused (or changed nothing by its own account) → nothing stored; else a new baseline. */
async function settle(changed: boolean, what: string, opts: { files?: boolean } = {}): Promise<void> {
  if (changed) state = await snapshot();
  else await expectUnchanged(state, what, opts);
}

// ---------------------------------------------------------------------------------------------
// Generators

type Key = string | number;
type Edit = { op: 'replace'; value: unknown } | { op: 'delete' } | { op: 'add'; key: string; value: unknown };

const HUGE = 'x'.repeat(12_000);

/** Values that break a schema in interesting ways: wrong types, odd numbers, odd strings. */
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom<unknown>(
      null, true, false, 0, -1, -0.5, 1.5, 2 ** 53 + 1, 1e308, -1e308, '', ' ', '\t\n', 'NaN', 'Infinity', '-1', '1e999', '0x1F',
      '\u0000', '\ud800', '\u202e\u0645', 'null', '../../etc/passwd', '..%2F..%2Fetc%2Fpasswd', '<img src=x onerror=alert(1)>',
      "'; DROP TABLE referrals; --", [], {}, [[]], { '': null }, '2026-02-30T25:61:00Z', '9990000019', 'A12345 ',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(HUGE, '😀'.repeat(3000), 'é'.repeat(6000)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.uuid() },
);

const oddKey = fc.oneof(
  fc.constantFrom('extra', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', 'id', 'role', 'userId'),
  fc.string({ maxLength: 12 }),
);

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('replace' as const), value: oddValue }) },
  { weight: 2, arbitrary: fc.constant({ op: 'delete' as const }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('add' as const), key: oddKey, value: oddValue }) },
);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function pathsOf(v: unknown, at: Key[] = [], out: Key[][] = []): Key[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...at, i], out));
  else if (isObject(v)) for (const k of Object.keys(v)) pathsOf(v[k], [...at, k], out);
  return out;
}

function valueAt(v: unknown, p: Key[]): unknown {
  return p.reduce<unknown>((cur, k) => (cur as Record<Key, unknown>)[k], v);
}

/** Own data property even for `__proto__` (plain assignment would set the prototype). */
function define(target: object, key: Key, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A copy of a valid body with one edit at the `pick`-th fitting place. */
function applyEdit(valid: unknown, pick: number, e: Edit): unknown {
  const copy: unknown = JSON.parse(JSON.stringify(valid));
  const all = pathsOf(copy);
  const fits = e.op === 'add' ? all.filter((p) => isObject(valueAt(copy, p))) : e.op === 'delete' ? all.filter((p) => p.length > 0) : all;
  const p = fits[pick % Math.max(1, fits.length)];
  if (!p) return copy;
  if (e.op === 'replace' && p.length === 0) return e.value;
  const parent = valueAt(copy, e.op === 'add' ? p : p.slice(0, -1)) as Record<Key, unknown> | unknown[];
  const key = p.at(-1)!;
  if (e.op === 'replace') define(parent, key, e.value);
  else if (e.op === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else define(parent, e.key, e.value);
  return copy;
}

/** A valid body with exactly one thing wrong (or, now and then, still right). */
const nearMiss = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.tuple(valid, fc.nat(), edit).map(([v, pick, e]) => applyEdit(v, pick, e));

/** Random text: binary junk, and valid JSON cut short or with a byte flipped. */
const malformedText = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.constantFrom('', ' ', '{', '}', '[', '{"a":}', '{"a" 1}', "{'a':1}", '{"a":1,}', 'NaN', 'undefined', '\ufeff{}', '{"a":"\\u00"}', '{"a":1}{"b":2}', '\u0000'),
    fc.tuple(valid, fc.nat()).map(([v, n]) => {
      const t = JSON.stringify(v);
      return t.slice(0, n % Math.max(1, t.length));
    }),
    fc.tuple(valid, fc.nat(), fc.constantFrom('"', '{', '}', ',', ':', '\\', '\u0000', ']')).map(([v, n, c]) => {
      const t = JSON.stringify(v);
      const i = n % Math.max(1, t.length);
      return `${t.slice(0, i)}${c}${t.slice(i + 1)}`;
    }),
  );

/** A JSON body as a client might get it wrong: random JSON, a near miss, or not JSON at all. */
type Body = { kind: 'json'; value: unknown } | { kind: 'text'; text: string };
const bodies = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<Body> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.jsonValue().map((value): Body => ({ kind: 'json', value })) },
    { weight: 4, arbitrary: nearMiss(valid).map((value): Body => ({ kind: 'json', value })) },
    { weight: 1, arbitrary: valid.map((value): Body => ({ kind: 'json', value })) },
    { weight: 2, arbitrary: malformedText(valid).map((text): Body => ({ kind: 'text', text })) },
  );

const wire = (b: Body) => (b.kind === 'json' ? JSON.stringify(b.value) : b.text);

/** The body as the server's JSON parser sees it (undefined: not JSON). */
function parsedBody(b: Body): unknown {
  return json(wire(b));
}

/** Fastify refuses `__proto__` keys and `constructor.prototype` outright (prototype poisoning). */
function poisoned(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(poisoned);
  if (!isObject(v)) return false;
  return Object.keys(v).some((k) => k === '__proto__' || (k === 'constructor' && isObject(v[k]) && Object.hasOwn(v[k], 'prototype')) || poisoned(v[k]));
}

const text = (max = 40) => fc.string({ minLength: 1, maxLength: max }).filter((s) => s.trim().length > 0);
const uuid = fc.uuid({ version: 4 });
const clientTime = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());

/** Mutations the contract accepts, about `target` (most are refused for its state or version). */
function validMutation(target: ReferralCreated): fc.Arbitrary<Record<string, unknown>> {
  const referralId = target.id;
  const targetImage = target.images[0]!.id;
  const env = (type: fc.Arbitrary<string>, entityId: fc.Arbitrary<string>, payload: fc.Arbitrary<unknown>, baseVersion: fc.Arbitrary<number | undefined>) =>
    fc
      .record({ id: uuid, type, entityId, payload, clientTime, baseVersion })
      .map(({ baseVersion: v, ...m }): Record<string, unknown> => (v === undefined ? m : { ...m, baseVersion: v }));
  const fields = fc.record({ decision: fc.constantFrom(...Decision.options), diagnosis: fc.record({ text: text() }), adviceToGp: text() });
  // The image is 96×64: most points fall inside it, some outside (refused).
  const point = fc.record({ x: fc.integer({ min: 0, max: 110 }), y: fc.integer({ min: 0, max: 70 }) });
  // A new entity (a random id) takes no baseVersion; an existing one usually names one.
  const creating = fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.nat(3) });
  const version = fc.option(fc.nat(8), { nil: undefined });
  return fc.oneof(
    env(fc.constantFrom('referral.claim', 'referral.release'), fc.constant(referralId), fc.constant({}), version),
    env(fc.constantFrom('outcome.save-draft', 'outcome.submit'), uuid, fields.map((f) => ({ referralId, ...f })), creating),
    env(fc.constant('outcome.sign-off'), uuid, fc.constant({}), version),
    env(fc.constant('outcome.return'), uuid, fc.record({ comment: text() }), version),
    env(fc.constant('annotation.save'), uuid, fc.record({ imageId: fc.constant(targetImage), shape: point.map((at) => ({ kind: 'point', at })), label: text() }), creating),
    env(fc.constant('annotation.delete'), uuid, fc.constant({}), version),
    env(fc.constant('referral.request-info'), fc.constant(referralId), fc.record({ kind: fc.constantFrom('more-information', 'better-images'), message: text() }), version),
    env(fc.constantFrom(...MutationType.options), fc.oneof(uuid, fc.constant(referralId)), fc.jsonValue({ maxDepth: 2 }), version),
  );
}

const validBatch = (target: ReferralCreated = referral) =>
  fc.oneof(
    fc.array(validMutation(target), { minLength: 1, maxLength: 4 }),
    fc.array(nearMiss(validMutation(target)), { minLength: 1, maxLength: 3 }),
  ).map((mutations) => ({ mutations }));

/** Path segments as attackers and broken clients write them; sent verbatim. */
const junkSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '..', '.', '%2e%2e', '%2E%2E%2F', '..%2F..%2Fetc%2Fpasswd', '..%5C..%5Cwindows', '%252e%252e%252f', '%2F', '%00', '%',
    '%E0%A4%A', '%C0%AE%C0%AE', '%FF', 'image.dzi', 'thumbnail.jpg', ';', '*', '~', '-1', '0', 'null', 'undefined', '__proto__',
    'constructor', 'a'.repeat(101), 'a'.repeat(3000), '99999999999999999999999', '1e400', '0x10',
    '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff',
  ),
  fc.string({ unit: fc.constantFrom(...'abcdefABCDEF0123456789-_.~%:@!$&\'()*+,;=/'.split('')), maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 20 }).map((s) => s.replace(/[?#]/g, '')),
);

/** How a client may put an id in a path: as is, in capitals, percent-encoded, or junk. */
const idSegment = (real: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(real) },
    { weight: 1, arbitrary: fc.constantFrom(real.toUpperCase(), real.replace(/-/g, ''), `${real}.`, `${real}%00`, `${real}/..`, ` ${real}`, encodeURIComponent(real).replace(/-/g, '%2D')) },
    { weight: 2, arbitrary: uuid },
    { weight: 5, arbitrary: junkSegment },
  );

const decoded = (s: string): string | undefined => {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
};

/** Query strings as `[key, value]` pairs, encoded as a client would; keys may repeat. */
const queryPairs = (keys: readonly string[], value: fc.Arbitrary<string>) =>
  fc.array(fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: oddKey }), value), { maxLength: 4 });

const encodeQuery = (pairs: readonly [string, string][]) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

/** What Fastify's query parser hands the route: repeated keys become arrays. */
function queryObject(pairs: readonly [string, string][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of pairs) {
    const prev = Object.hasOwn(out, k) ? out[k] : undefined;
    define(out, k, prev === undefined ? v : Array.isArray(prev) ? [...(prev as unknown[]), v] : [prev, v]);
  }
  return out;
}

/** Anyone: no token, a broken one, or one of the signed-in users. */
const caller: fc.Arbitrary<Who | null> = fc.constantFrom<Who | null>(null, ...WHO);

const badAuthorization: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'bearer abc', `Bearer ${'a'.repeat(19)}`, `Bearer ${'a'.repeat(201)}`, 'Bearer ../../etc/passwd'),
  fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('')), minLength: 0, maxLength: 250 }).map((t) => `Bearer ${t}`),
  fc.string({ unit: 'grapheme-ascii', maxLength: 80 }).filter((s) => !/[\r\n]/.test(s)),
);

async function newReferral(): Promise<ReferralCreated> {
  const form = new FormData();
  form.set('referral', JSON.stringify(referralBody(['img1'])));
  form.set('img1', new Blob([jpeg]), 'img1.jpg');
  const res = await fetch(`${svc.url}${API_BASE}/referrals`, { method: 'POST', headers: { authorization: `Bearer ${tokens.gp}` }, body: form });
  expect(res.status).toBe(201);
  return ReferralCreated.parse(await res.json());
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  // Refused sign-ins cost a scrypt (~0.4 s) each until the per-address limit throttles them;
  // a low limit keeps the sign-in property fast and exercises the 429 too. Everyone signs in
  // first, since past the limit even a right password is answered 429.
  svc = await startService({ signInThrottle: { windowMinutes: 15, maxPerUsername: 3, maxPerAddress: 3 } });
  for (const who of WHO) tokens[who] = (await svc.signedIn(who)).currentToken() ?? '';
  jpeg = await testJpeg(96, 64);
  referral = await newReferral();
  imageId = referral.images[0]!.id;
  state = await snapshot();
});

afterAll(async () => {
  agent.destroy();
  await svc?.close();
});

describe('random bodies to every JSON endpoint', () => {
  it('POST /sessions: refused below 500 with the error body, never signs anyone in', async () => {
    const valid = fc.record({
      username: fc.oneof(fc.constantFrom(...WHO, 'nobody', 'Consultant', 'consultant '), fc.string({ minLength: 1, maxLength: 20 })),
      password: fc.string({ minLength: 1, maxLength: 40 }).filter((p) => p !== PASSWORD),
    });
    await fc.assert(
      fc.asyncProperty(bodies(valid), async (body) => {
        const a = await sendJson('/sessions', wire(body), null);
        const seen = parsedBody(body);
        expectRefused(a, 'POST /sessions');
        if (seen === undefined || poisoned(seen) || !SignInRequest.safeParse(seen).success) expect(a.status, a.text).toBe(400);
        else expect([401, 429], a.text).toContain(a.status);
        await settle(false, 'POST /sessions');
      }),
      settings(150),
    );
  });

  it.each(['consultant', 'registrar'] as const)('POST /mutations as %s: 400 for what the envelope refuses, one result per mutation otherwise', async (who) => {
    // A referral of its own, still open, so that some mutations apply.
    const target = await newReferral();
    state = await snapshot();
    await fc.assert(
      fc.asyncProperty(bodies(validBatch(target)), async (body) => {
        const a = await sendJson('/mutations', wire(body), who);
        expectWellFormed(a, 'POST /mutations');
        const seen = parsedBody(body);
        const batch = seen === undefined || poisoned(seen) ? undefined : MutationBatch.safeParse(seen);
        if (!batch?.success) {
          expect(a.status, a.text).toBe(400);
          return settle(false, 'POST /mutations');
        }
        expect(a.status, a.text).toBe(200);
        const { results } = MutationResults.parse(JSON.parse(a.text));
        expect(results.map((r) => r.id)).toEqual(batch.data.mutations.map((m) => m.id));
        for (const r of results) if (r.status === 'applied') expect(r.entityVersion).toBeGreaterThan(0);
        // Only an applied mutation may store anything; duplicates, conflicts and refusals not.
        await settle(results.some((r) => r.status === 'applied'), 'POST /mutations');
      }),
      settings(200),
    );
  });

  it('POST /mutations as anyone else: refused (401/403/400), nothing stored', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<Who | null>(null, 'gp', 'admin'), bodies(validBatch()), async (who, body) => {
        const a = await sendJson('/mutations', wire(body), who);
        expectRefused(a, 'POST /mutations');
        expect([400, 401, 403], a.text).toContain(a.status);
        await settle(false, 'POST /mutations');
      }),
      settings(60),
    );
  });

  it('POST /mutations with any media type: JSON or refused', async () => {
    const contentType = fc.oneof(
      fc.constantFrom(
        'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', 'text/plain; charset=utf-8',
        'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'multipart/form-data', 'application/xml', 'text/json',
        'application/jsonx', 'application/json-patch+json', 'application/octet-stream', '*/*', 'application/json; charset=latin1', ';', '',
      ),
      fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).filter((s) => !/[\r\n]/.test(s)),
    );
    await fc.assert(
      fc.asyncProperty(contentType, bodies(validBatch()), async (type, body) => {
        const a = await send({ method: 'POST', path: '/mutations', as: 'consultant', headers: type ? { 'content-type': type } : {}, body: wire(body) });
        expectWellFormed(a, `POST /mutations as ${type}`);
        if (!/^application\/json\s*(;|$)/i.test(type)) expect(a.status, `${type}: ${a.text}`).toBeGreaterThanOrEqual(400);
        const applied = a.status === 200 && MutationResults.parse(JSON.parse(a.text)).results.some((r) => r.status === 'applied');
        await settle(applied, `POST /mutations as ${type}`);
      }),
      settings(100),
    );
  });

  it('DELETE /sessions/current with broken tokens and bodies: 4xx, and real sessions stay', async () => {
    await fc.assert(
      fc.asyncProperty(badAuthorization, fc.option(bodies(fc.constant({}))), async (authorization, body) => {
        const headers: Record<string, string> = {};
        if (authorization !== undefined) headers.authorization = authorization;
        if (body) headers['content-type'] = 'application/json';
        const a = await send({ method: 'DELETE', path: '/sessions/current', headers, ...(body ? { body: wire(body) } : {}) });
        expectRefused(a, 'DELETE /sessions/current');
        await settle(false, 'DELETE /sessions/current');
      }),
      settings(100),
    );
    for (const who of WHO) expect((await send({ path: '/changes?limit=1', as: who })).status, who).toBe(200);
  });
});

describe('random query strings and path segments', () => {
  it('GET /changes: 400 for what the query schema refuses, a page otherwise', async () => {
    const value = fc.oneof(
      fc.constantFrom('0', '1', '5000', '5001', '-1', '0.5', '1e3', '', ' ', '999999999999999', '9999999999999999', 'abc', '..%2F', '../../etc', 'NaN'),
      fc.nat().map(String),
      fc.string({ maxLength: 20 }),
      fc.string({ unit: fc.constantFrom(...'0123456789'.split('')), minLength: 1, maxLength: 20 }),
    );
    await fc.assert(
      fc.asyncProperty(caller, queryPairs(['after', 'limit'], value), async (who, pairs) => {
        const a = await send({ path: `/changes?${encodeQuery(pairs)}`, as: who });
        expectWellFormed(a, 'GET /changes');
        if (!who) expect(a.status).toBe(401);
        else {
          const q = ChangesQuery.safeParse(queryObject(pairs));
          const cursorOk = q.success && (q.data.after === undefined || /^\d{1,15}$/.test(q.data.after));
          if (!cursorOk) expect(a.status, a.text).toBe(400);
          else ChangesPage.parse(JSON.parse(a.text));
        }
        await settle(false, 'GET /changes');
      }),
      settings(200),
    );
  });

  it('GET /changes with raw query text: below 500 with the error body', async () => {
    const raw = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'afterlimt=&%0123456789[]._-+;,/?'.split('')), maxLength: 60 }),
      fc.constantFrom('after[]=1', 'after[a]=1', '__proto__[polluted]=1', 'constructor[prototype][polluted]=1', 'limit=1&limit=2', 'after=%', 'after=%E0%A4%A', '&&&', '=', 'limit'),
    );
    await fc.assert(
      fc.asyncProperty(caller, raw, async (who, q) => {
        const a = await send({ path: `/changes?${q}`, as: who });
        expectWellFormed(a, `GET /changes?${q}`);
        await settle(false, 'GET /changes');
      }),
      settings(100),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('GET /referrals/:id: the referral for its id, 4xx for anything else', async () => {
    await fc.assert(
      fc.asyncProperty(caller, idSegment(referral.id), async (who, id) => {
        const a = await send({ path: `/referrals/${id}`, as: who });
        expectWellFormed(a, `GET /referrals/${id}`);
        const clinician = who === 'consultant' || who === 'registrar';
        if (a.status < 400) {
          expect(clinician, a.text).toBe(true);
          expect(decoded(id)?.toLowerCase()).toBe(referral.id);
          expect(ReferralDetail.parse(JSON.parse(a.text)).referral.id).toBe(referral.id);
        }
        await settle(false, `GET /referrals/${id}`);
      }),
      settings(200),
    );
  });

  it('GET /images/:id/image.dzi and thumbnail.jpg: only the real image, 4xx for anything else', async () => {
    await fc.assert(
      fc.asyncProperty(caller, idSegment(imageId), fc.constantFrom('image.dzi', 'thumbnail.jpg'), async (who, id, file) => {
        const a = await send({ path: `/images/${id}/${file}`, as: who });
        expectWellFormed(a, `GET /images/${id}/${file}`);
        if (a.status < 400) {
          expect(who === 'consultant' || who === 'registrar', a.text).toBe(true);
          expect(decoded(id)?.toLowerCase()).toBe(imageId);
          expect(a.headers['content-type']).toMatch(file === 'image.dzi' ? /^application\/xml/ : /^image\/jpeg/);
        }
        await settle(false, `GET /images/${id}/${file}`);
      }),
      settings(150),
    );
  });

  it('GET tile paths: a tile only for a well-formed path to the real pyramid, 4xx for anything else', async () => {
    const num = fc.oneof(fc.nat(12).map(String), fc.constantFrom('-1', '00', '007', '1e3', '0x1', '99', '999999', '1000000', '99999999999999999999999', '..', '%2e%2e', '+1', ' 1', '1.0'), junkSegment);
    const ext = fc.constantFrom('jpeg', 'jpg', 'JPEG', 'png', 'dzi', 'jpeg%00', 'jpeg%2F..%2F..%2Fimage.dzi', '', 'jpeg.', 'jpg/..');
    const tile = fc.oneof(
      { weight: 3, arbitrary: fc.tuple(num, num, ext).map(([c, r, e]) => `${c}_${r}.${e}`) },
      { weight: 1, arbitrary: junkSegment },
    );
    const wellFormed = (level: string, t: string) => /^\d{1,2}$/.test(decoded(level) ?? '') && /^\d{1,6}_\d{1,6}\.(jpeg|jpg)$/.test(decoded(t) ?? '');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<Who | null>('consultant', 'registrar', 'consultant', 'gp', null), idSegment(imageId), num, tile, async (who, id, level, t) => {
        const p = `/images/${id}/image_files/${level}/${t}`;
        const a = await send({ path: p, as: who });
        expectWellFormed(a, `GET ${p}`);
        if (a.status < 400) {
          expect(a.status).toBe(200);
          expect(decoded(id)?.toLowerCase()).toBe(imageId);
          expect(wellFormed(level, t), p).toBe(true);
          expect(a.headers['content-type']).toBe('image/jpeg');
        }
        await settle(false, `GET ${p}`);
      }),
      settings(250),
    );
  });

  it('GET /audit?entityId=…: 400 for a bad query, the events for a consultant or admin, 401/403 for others', async () => {
    const value = fc.oneof(fc.constant(referral.id), fc.constant(imageId), uuid, fc.constantFrom('', '..%2F', 'a'.repeat(300)), fc.string({ maxLength: 40 }));
    await fc.assert(
      fc.asyncProperty(caller, queryPairs(['entityId'], value), async (who, pairs) => {
        const a = await send({ path: `/audit?${encodeQuery(pairs)}`, as: who });
        expectWellFormed(a, 'GET /audit');
        if (isMissingRoute(a)) return;
        if (!who) expect(a.status).toBe(401);
        else if (who === 'registrar' || who === 'gp') expect(a.status).toBe(403);
        else if (!AuditQuery.safeParse(queryObject(pairs)).success) expect(a.status, a.text).toBe(400);
        else AuditList.parse(JSON.parse(a.text));
        await settle(false, 'GET /audit');
      }),
      settings(150),
    );
  });

  it('GET /audit/verify with anything attached: admin only, and the chain stays intact', async () => {
    await fc.assert(
      fc.asyncProperty(caller, queryPairs(['ok', 'from', 'brokenAt'], fc.string({ maxLength: 10 })), async (who, pairs) => {
        const a = await send({ path: `/audit/verify${pairs.length ? `?${encodeQuery(pairs)}` : ''}`, as: who });
        expectWellFormed(a, 'GET /audit/verify');
        if (isMissingRoute(a)) return;
        if (!who) expect(a.status).toBe(401);
        else if (ROLE[who] !== 'admin') expect(a.status).toBe(403);
        else if (a.status === 200) expect(AuditVerification.parse(JSON.parse(a.text))).toMatchObject({ ok: true });
        await settle(false, 'GET /audit/verify');
      }),
      settings(40),
    );
  });

  it('GET /metrics?from=…&to=…: 400 for a bad period, the figures for a consultant or admin, 401/403 for others', async () => {
    const day = fc.date({ min: new Date('2024-06-01T00:00:00Z'), max: new Date('2027-06-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    const value = fc.oneof(
      { weight: 4, arbitrary: day },
      {
        weight: 1,
        arbitrary: fc.constantFrom('', '2026-02-30', '2026-13-01', '26-01-01', '2026-1-1', '2026-01-01T00:00:00Z', '0000-01-01', '9999-12-31', ' 2026-01-01', '2026-01-01%00', 'today'),
      },
      { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    );
    await fc.assert(
      fc.asyncProperty(caller, queryPairs(['from', 'to'], value), async (who, pairs) => {
        const a = await send({ path: `/metrics?${encodeQuery(pairs)}`, as: who });
        expectWellFormed(a, 'GET /metrics');
        if (!who) expect(a.status).toBe(401);
        else if (who === 'registrar' || who === 'gp') expect(a.status).toBe(403);
        else if (!MetricsQuery.safeParse(queryObject(pairs)).success) expect(a.status, a.text).toBe(400);
        else expect(Metrics.parse(JSON.parse(a.text)).period).toEqual(queryObject(pairs));
        await settle(false, 'GET /metrics');
      }),
      settings(150),
    );
  });
});

describe('random multipart submissions', () => {
  type FilePart = { name: string; content: 'jpeg' | 'empty' | 'truncated' | Uint8Array };
  type Submission = { referral: { kind: 'absent' } | Body; files: FilePart[]; extraField: [string, string] | null; referralFirst: boolean };

  const partName = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('img1', 'img2', 'close', 'dermo') }, { weight: 1, arbitrary: fc.string({ maxLength: 70 }) });
  const content = fc.oneof(
    { weight: 5, arbitrary: fc.constant('jpeg' as const) },
    { weight: 1, arbitrary: fc.constantFrom('empty' as const, 'truncated' as const) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 600 }) },
  );
  const submission = fc
    .tuple(fc.uniqueArray(fc.constantFrom('img1', 'img2', 'close', 'dermo'), { minLength: 1, maxLength: 3 }), fc.constantFrom(...Pathway.options), fc.constantFrom(...ImageKind.options), text(200))
    .map(([parts, pathway, kind, question]) => {
      const body = referralBody(parts, { pathway, question });
      return { ...body, images: body.images.map((i) => ({ ...i, kind })) };
    });

  const submissions: () => fc.Arbitrary<Submission> = () => {
    const valid = fc.oneof(
      { weight: 3, arbitrary: submission },
      { weight: 1, arbitrary: fc.record({ followUpTo: fc.oneof(fc.constant(referral.id), uuid), response: text(), images: fc.constant([] as unknown[]) }) },
    );
    const referralPart = fc.oneof(
      { weight: 4, arbitrary: valid.map((value): Body => ({ kind: 'json', value })) },
      { weight: 12, arbitrary: bodies(valid) },
      { weight: 1, arbitrary: fc.constant({ kind: 'absent' as const }) },
    );
    const files = fc.oneof(
      // The described parts, each with a JPEG (a valid upload if the JSON is), or with one spoilt.
      { weight: 3, arbitrary: fc.tuple(referralPart, fc.nat(), content).map(([r, i, c]) => {
        const v = r.kind === 'absent' ? undefined : parsedBody(r);
        const images = isObject(v) && Array.isArray(v.images) ? v.images : [];
        const names = images.map((m) => (isObject(m) && typeof m.part === 'string' ? m.part : 'img1'));
        const parts: FilePart[] = names.map((name) => ({ name, content: 'jpeg' as const }));
        if (parts.length > 0 && i % 4 === 0) parts[i % parts.length] = { ...parts[i % parts.length]!, content: c };
        return { referral: r, files: parts };
      }) },
      { weight: 1, arbitrary: fc.tuple(referralPart, fc.array(fc.record({ name: partName, content }), { maxLength: 4 })).map(([r, f]) => ({ referral: r, files: f })) },
    );
    return fc
      .tuple(files, fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(fc.oneof(fc.constant('referral'), fc.string({ maxLength: 10 })), fc.string({ maxLength: 20 })) }), fc.boolean())
      .map(([f, extraField, referralFirst]) => ({ ...f, extraField, referralFirst }));
  };

  const bytesOf = (c: FilePart['content']): Uint8Array => (c === 'jpeg' ? jpeg : c === 'empty' ? new Uint8Array(0) : c === 'truncated' ? jpeg.subarray(0, jpeg.length >> 1) : c);

  /** Would the service store this? (Follow-ups depend on the referral's state: 201, 404 or 409.) */
  function expected(s: Submission): 'stored' | 'refused' | 'followUp' {
    if (s.referral.kind === 'absent' || s.extraField) return 'refused';
    const seen = parsedBody(s.referral);
    const isFollowUp = isObject(seen) && 'followUpTo' in seen;
    const parsed = (isFollowUp ? ReferralFollowUp : ReferralSubmission).safeParse(seen);
    if (!parsed.success) return 'refused';
    const described = parsed.data.images.map((i) => i.part).sort();
    const sent = s.files.map((f) => f.name).sort();
    if (JSON.stringify(described) !== JSON.stringify(sent)) return 'refused';
    if (!s.files.every((f) => f.content === 'jpeg')) return 'refused';
    return isFollowUp ? 'followUp' : 'stored';
  }

  it('POST /referrals: stored whole for a valid submission, refused with the error body and nothing stored otherwise', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<Who | null>('gp', 'gp', 'gp', 'gp', 'gp', 'admin', 'consultant', null), submissions(), async (who, s) => {
        const form = new FormData();
        const addReferral = () => {
          if (s.referral.kind !== 'absent') form.append('referral', wire(s.referral));
        };
        if (s.referralFirst) addReferral();
        for (const f of s.files) form.append(f.name, new Blob([bytesOf(f.content)]), `${f.name}.jpg`);
        if (!s.referralFirst) addReferral();
        if (s.extraField) form.append(s.extraField[0], s.extraField[1]);
        const res = await fetch(`${svc.url}${API_BASE}/referrals`, { method: 'POST', headers: who ? { authorization: `Bearer ${tokens[who]}` } : {}, body: form });
        const a: Answer = { status: res.status, headers: {}, text: await res.text() };
        expectWellFormed(a, 'POST /referrals');
        const allowed = who === 'gp' || who === 'admin';
        const want = allowed ? expected(s) : 'refused';
        if (want === 'refused') expect(a.status, a.text).toBeGreaterThanOrEqual(400);
        if (want === 'stored') expect(a.status, a.text).toBe(201);
        if (want === 'followUp') expect([201, 404, 409], a.text).toContain(a.status);
        if (a.status === 201) ReferralCreated.parse(JSON.parse(a.text));
        await settle(a.status === 201, 'POST /referrals', { files: true });
      }),
      settings(120),
    );
  });

  it('POST /referrals with raw multipart framing: below 500 with the error body, nothing stored', async () => {
    const piece = fc.oneof(
      fc.constantFrom(
        '--xyz', '--xyz--', '\r\n', '\r\n\r\n', '--', 'Content-Disposition: form-data; name="referral"',
        'Content-Disposition: form-data; name="img1"; filename="a.jpg"', 'Content-Disposition: form-data; name="__proto__"',
        'Content-Disposition: form-data', 'Content-Type: application/json', 'Content-Type: image/jpeg', '{}', JSON.stringify(referralBody(['img1'])),
      ),
      fc.string({ unit: 'binary', maxLength: 30 }),
    );
    const boundary = fc.constantFrom('multipart/form-data; boundary=xyz', 'multipart/form-data', 'multipart/form-data; boundary=', 'multipart/form-data; boundary="', `multipart/form-data; boundary=${'b'.repeat(300)}`, 'multipart/mixed; boundary=xyz', 'multipart/form-data; boundary=xyz; boundary=abc');
    await fc.assert(
      fc.asyncProperty(boundary, fc.array(piece, { maxLength: 12 }), async (type, pieces) => {
        const body = Buffer.from(pieces.join(''), 'utf8');
        const a = await send({ method: 'POST', path: '/referrals', as: 'gp', headers: { 'content-type': type }, body });
        expectRefused(a, `POST /referrals (${type})`);
        await settle(false, 'POST /referrals', { files: true });
      }),
      settings(120),
    );
  });
});

describe('bad input, by example', () => {
  const batch = () =>
    JSON.stringify({ mutations: [{ id: randomUUID(), type: 'referral.claim', entityId: referral.id, baseVersion: 999, payload: {}, clientTime: new Date().toISOString() }] });

  async function expectError(a: Answer, status: number, code?: string): Promise<void> {
    expect(a.status, a.text).toBe(status);
    const body = ErrorBody.parse(JSON.parse(a.text));
    if (code) expect(body.error.code).toBe(code);
    await expectUnchanged(state, `${status} ${code ?? ''}`, { files: true });
  }

  it.each([
    ['text/plain', 'text/plain'],
    ['text/plain with a charset', 'text/plain; charset=utf-8'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['XML', 'application/xml'],
  ])('answers a mutation batch sent as %s with 415', async (_name, type) => {
    await expectError(await sendJson('/mutations', batch(), 'consultant', type), 415, 'unsupported_media_type');
    await expectError(await sendJson('/sessions', JSON.stringify({ username: 'consultant', password: 'x' }), null, type), 415, 'unsupported_media_type');
  });

  it('answers a body without a media type with 415', async () => {
    await expectError(await send({ method: 'POST', path: '/mutations', as: 'consultant', body: batch() }), 415, 'unsupported_media_type');
  });

  it('answers a JSON body over the body limit with 413', async () => {
    const big = JSON.stringify({ mutations: [{ payload: 'x'.repeat(8 * 1024 * 1024) }] });
    await expectError(await sendJson('/mutations', big, 'consultant'), 413, 'payload_too_large');
    await expectError(await sendJson('/sessions', JSON.stringify({ username: 'x', password: 'y'.repeat(9 * 1024 * 1024) }), null), 413, 'payload_too_large');
  });

  it('answers a referral part over the field limit with 413, naming it', async () => {
    const form = new FormData();
    form.set('referral', JSON.stringify({ ...referralBody(['img1']), question: 'q'.repeat(2 * 1024 * 1024) }));
    form.set('img1', new Blob([jpeg]), 'img1.jpg');
    const res = await fetch(`${svc.url}${API_BASE}/referrals`, { method: 'POST', headers: { authorization: `Bearer ${tokens.gp}` }, body: form });
    await expectError({ status: res.status, headers: {}, text: await res.text() }, 413, 'referral_too_large');
  });

  it('answers more image parts than the limit with 413', async () => {
    const form = new FormData();
    const parts = Array.from({ length: 25 }, (_, i) => `p${i}`);
    form.set('referral', JSON.stringify(referralBody(parts.slice(0, 20))));
    for (const p of parts) form.append(p, new Blob([jpeg]), `${p}.jpg`);
    const res = await fetch(`${svc.url}${API_BASE}/referrals`, { method: 'POST', headers: { authorization: `Bearer ${tokens.gp}` }, body: form });
    await expectError({ status: res.status, headers: {}, text: await res.text() }, 413);
  });

  it('survives deeply nested JSON: refused or rejected, never a crash', async () => {
    const deepArray = `${'['.repeat(500_000)}${']'.repeat(500_000)}`;
    const deepObject = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    await expectError(await sendJson('/mutations', `{"mutations":${deepArray}}`, 'consultant'), 400, 'invalid_request');
    await expectError(await sendJson('/sessions', deepObject, null), 400, 'invalid_request');
    const m = { id: randomUUID(), type: 'outcome.save-draft', entityId: randomUUID(), clientTime: new Date().toISOString() };
    const a = await sendJson('/mutations', `{"mutations":[${JSON.stringify(m).slice(0, -1)},"payload":${deepObject}}]}`, 'consultant');
    expect(a.status, a.text).toBe(200);
    expect(MutationResults.parse(JSON.parse(a.text)).results[0]).toMatchObject({ status: 'rejected', error: { code: 'invalid_payload' } });
    const form = new FormData();
    form.set('referral', deepObject);
    const res = await fetch(`${svc.url}${API_BASE}/referrals`, { method: 'POST', headers: { authorization: `Bearer ${tokens.gp}` }, body: form });
    await expectError({ status: res.status, headers: {}, text: await res.text() }, 400, 'invalid_request');
    expect((await send({ path: '/health' })).status).toBe(200);
  });

  it.each(['null', '[]', '[{"username":"consultant","password":"x"}]', '42', '"consultant"', 'true'])('answers the JSON body %s with 400', async (body) => {
    await expectError(await sendJson('/mutations', body, 'consultant'), 400, 'invalid_request');
    await expectError(await sendJson('/sessions', body, null), 400, 'invalid_request');
  });

  it('refuses __proto__ and constructor.prototype keys without polluting any prototype', async () => {
    const m = { id: randomUUID(), type: 'outcome.save-draft', entityId: randomUUID(), clientTime: new Date().toISOString() };
    const head = JSON.stringify(m).slice(0, -1);
    for (const payload of [
      `{"__proto__":{"polluted":"yes"},"referralId":"${referral.id}"}`,
      `{"constructor":{"prototype":{"polluted":"yes"}}}`,
      `{"diagnosis":{"text":"x","__proto__":{"polluted":"yes"}}}`,
    ]) {
      await expectError(await sendJson('/mutations', `{"mutations":[${head},"payload":${payload}}]}`, 'consultant'), 400, 'malformed_json');
    }
    await expectError(await sendJson('/sessions', '{"username":"a","password":"b","__proto__":{"polluted":"yes"}}', null), 400, 'malformed_json');
    // The referral part is parsed with JSON.parse, which makes `__proto__` an own key; the
    // strict schema then refuses it as unknown.
    const form = new FormData();
    form.set('referral', JSON.stringify(referralBody(['img1'])).replace('"history":{', '"history":{"__proto__":{"polluted":"yes"},'));
    form.set('img1', new Blob([jpeg]), 'img1.jpg');
    const res = await fetch(`${svc.url}${API_BASE}/referrals`, { method: 'POST', headers: { authorization: `Bearer ${tokens.gp}` }, body: form });
    await expectError({ status: res.status, headers: {}, text: await res.text() }, 400, 'invalid_request');
    await expectError(await send({ path: '/changes?__proto__[polluted]=yes', as: 'consultant' }), 400, 'invalid_request');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers undecodable and over-long paths with the error body', async () => {
    await expectError(await send({ path: '/referrals/%E0%A4%A', as: 'consultant' }), 400, 'malformed_url');
    await expectError(await send({ path: `/images/${imageId}/image_files/0/%`, as: 'consultant' }), 400, 'malformed_url');
    await expectError(await send({ path: `/referrals/${'a'.repeat(200)}`, as: 'consultant' }), 414, 'uri_too_long');
  });

  it('finds an image by its id in capitals, and answers a missing one in capitals with 404', async () => {
    const a = await send({ path: `/images/${imageId.toUpperCase()}/image_files/0/0_0.jpeg`, as: 'consultant' });
    expect(a.status).toBe(200);
    await expectError(await send({ path: `/images/${randomUUID().toUpperCase()}/image_files/0/0_0.jpeg`, as: 'consultant' }), 404, 'not_found');
    await expectError(await send({ path: `/images/${randomUUID().toUpperCase()}/thumbnail.jpg`, as: 'consultant' }), 404, 'not_found');
  });

  it('answers malformed multipart framing with 400, not 500', async () => {
    for (const [type, body] of [
      ['multipart/form-data; boundary=xyz', '--abc\r\nnothing here\r\n'],
      ['multipart/form-data', 'no boundary at all'],
      ['multipart/form-data; boundary=xyz', '--xyz\r\nContent-Disposition: form-data; name="referral"\r\n\r\n{"cut":'],
      ['multipart/form-data; boundary=xyz', '--xyz\r\nContent-Disposition: form-data; name="img1"; filename="a.jpg"\r\n\r\n\xff\xd8\xff'],
    ] as const) {
      await expectError(await send({ method: 'POST', path: '/referrals', as: 'gp', headers: { 'content-type': type }, body }), 400, 'malformed_multipart');
    }
  });

  /** What the HTTP parser refuses never reaches a route; the answer still has the error body. */
  function rawSocket(request: string): Promise<string> {
    const { hostname, port } = new URL(svc.url);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), hostname, () => socket.end(request));
      let out = '';
      socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
      socket.on('close', () => resolve(out));
      socket.on('error', reject);
    });
  }

  it.each([
    ['headers over the size limit', `GET ${API_BASE}/changes HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(20_000)}\r\n\r\n`, 431],
    ['a malformed request line', 'NOT HTTP AT ALL\r\n\r\n', 400],
    ['a Content-Length that is not a number', `POST ${API_BASE}/mutations HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n`, 400],
  ])('answers %s with the error body', async (_name, request, status) => {
    const answer = await rawSocket(request);
    expect(answer.startsWith(`HTTP/1.1 ${status} `), answer).toBe(true);
    expect(ErrorBody.safeParse(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).success).toBe(true);
    await expectUnchanged(state, String(status));
  });
});
