import pg from 'pg';
import type { Pool, PoolClient, QueryResult } from 'pg';
import { isClinician, type Annotation, type ImageRecord, type Outcome, type Referral } from '../../shared/contract';
import { migratePg } from '../db/pg-migrations';
import { auditHash, auditHashInput, GENESIS_HASH } from './audit-hash';
import { isDeleted, outcomeFinalAt, toAnnotation, toAudit, toChange, toImage, toMutation, toOutcome, toReferral, toSession, toUser, type Row } from './rows';
import type { AuditEvent, AuditInput, ChangeInput, MutationRecord, Repository, SessionRow, SignInFailure, StoredAnnotation, StoredChange, Tx, UserRow, Viewer } from './repository';

/**
 * The PostgreSQL backend: any number of service instances may share one database.
 *
 * Concurrency design (see also the `Tx` doc comment in `repository.ts`):
 *
 * - Every write transaction runs at READ COMMITTED and, as its first statement, takes ONE
 *   transaction-scoped advisory lock with a fixed key (`WRITE_LOCK_KEY`), shared by every
 *   instance. Write transactions therefore run one at a time across the whole deployment, and
 *   the lock is released only after the commit is visible to new snapshots (PostgreSQL marks
 *   the transaction committed in the proc array before it releases its locks).
 * - The change feed's `seq` comes from an identity sequence at insert time. On its own that is
 *   NOT commit order: with two writers, seq 11 may commit while seq 10 is still open, a reader
 *   pages past 11, and 10 appears later behind its cursor, skipped for ever. Under the lock,
 *   seq values are drawn only by the one transaction holding it, and the next holder draws
 *   higher values and commits later; so the committed rows are always a prefix of `seq` order
 *   (plus harmless gaps from rollbacks), and a plain `seq > cursor` query can never miss a
 *   change that commits late. `tests/integration/scale-out.test.ts` proves it.
 * - The same lock keeps the audit chain from forking (read the last hash, insert the next),
 *   and makes the check-then-write steps of mutations race-free: idempotency (`getMutation`
 *   then `recordMutation`) and optimistic `baseVersion` checks.
 * - READ COMMITTED matters: each statement after the lock takes a fresh snapshot, so it sees
 *   everything the previous lock holder committed. (REPEATABLE READ would freeze the snapshot
 *   at the lock statement, taken before the wait ended.)
 * - Reads are not serialised: `read` runs in a REPEATABLE READ, READ ONLY transaction, so a
 *   read of several queries sees one consistent snapshot and never waits for the lock.
 *
 * The cost: write transactions serialise across instances (they are short: a few inserts and
 * updates; ingest decodes images and builds pyramids before it opens its transaction), while
 * reads, tiles and image work scale with the instances. Each instance also queues its own write
 * transactions in memory before taking a connection, so waiting writers hold at most one
 * connection per instance and never starve its reads of pool connections.
 */
export const WRITE_LOCK_KEY = '5507749994894422644'; // "LoupeWrt" in ASCII, as a signed 64-bit key

export interface PgRepositoryOptions {
  /** Connections in this instance's pool (default 10). */
  poolSize?: number;
}

const json = (value: unknown): string => JSON.stringify(value);

/**
 * PostgreSQL text cannot hold U+0000. A lookup key containing it can match no stored row,
 * and a throttling key only needs to stay distinct, so neither may turn bad input into a
 * database error (a 500).
 */
const hasNul = (s: string): boolean => s.includes('\u0000');
const noNul = (s: string): string => s.replaceAll('\u0000', '\uFFFD');

class PgTx implements Tx {
  /**
   * A transaction is one connection, which runs one query at a time. Callers may still issue
   * calls concurrently (`Promise.all` over a referral's parts), so queries queue here, in call
   * order, rather than pile up inside pg (deprecated, and an error in pg 9).
   */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly client: PoolClient) {}

  private query(sql: string, params: unknown[]): Promise<QueryResult<Row>> {
    const run = this.queue.then(() => this.client.query<Row>(sql, params));
    this.queue = run.catch(() => undefined);
    return run;
  }
  private async all(sql: string, ...params: unknown[]): Promise<Row[]> {
    return (await this.query(sql, params)).rows;
  }
  private async get(sql: string, ...params: unknown[]): Promise<Row | undefined> {
    return (await this.all(sql, ...params))[0];
  }
  private async run(sql: string, ...params: unknown[]): Promise<number> {
    return (await this.query(sql, params)).rowCount ?? 0;
  }
  private async count(sql: string, ...params: unknown[]): Promise<number> {
    return Number((await this.get(sql, ...params))?.n ?? 0);
  }

  async countUsers() {
    return this.count('SELECT count(*) AS n FROM users');
  }
  async findUserByUsername(username: string) {
    if (hasNul(username)) return undefined;
    const r = await this.get('SELECT * FROM users WHERE username = $1', username);
    return r && toUser(r);
  }
  async getUser(id: string) {
    if (hasNul(id)) return undefined;
    const r = await this.get('SELECT * FROM users WHERE id = $1', id);
    return r && toUser(r);
  }
  async insertUser(u: UserRow) {
    await this.run(
      'INSERT INTO users (id, username, name, role, password_hash, disabled, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)',
      u.id, u.username, u.name, u.role, u.passwordHash, u.disabled, u.createdAt,
    );
  }
  async listUsers() {
    return (await this.all('SELECT * FROM users ORDER BY username')).map(toUser);
  }
  async updateUser(u: UserRow) {
    await this.run('UPDATE users SET name = $1, role = $2, password_hash = $3, disabled = $4 WHERE id = $5', u.name, u.role, u.passwordHash, u.disabled, u.id);
  }

  async insertSession(s: SessionRow) {
    await this.run(
      'INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at, revoked_at) VALUES ($1,$2,$3,$4,$5,$6)',
      s.tokenHash, s.userId, s.createdAt, s.expiresAt, s.lastSeenAt, s.revokedAt,
    );
  }
  async getSession(tokenHash: string) {
    const r = await this.get('SELECT * FROM sessions WHERE token_hash = $1', tokenHash);
    return r && toSession(r);
  }
  async touchSession(tokenHash: string, at: string) {
    await this.run('UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2', at, tokenHash);
  }
  async revokeSession(tokenHash: string, at: string) {
    await this.run('UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL', at, tokenHash);
  }
  async revokeSessionsForUser(userId: string, at: string) {
    return this.run('UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL', at, userId);
  }

  async recordSignInFailure(f: SignInFailure, at: string) {
    await this.run('INSERT INTO sign_in_failures (username, address, at) VALUES ($1,$2,$3)', noNul(f.username), noNul(f.address), at);
  }
  async countSignInFailures(key: { username: string } | { address: string }, since: string) {
    return 'username' in key
      ? this.count('SELECT count(*) AS n FROM sign_in_failures WHERE username = $1 AND at >= $2', noNul(key.username), since)
      : this.count('SELECT count(*) AS n FROM sign_in_failures WHERE address = $1 AND at >= $2', noNul(key.address), since);
  }
  async clearSignInFailures(username: string) {
    await this.run('DELETE FROM sign_in_failures WHERE username = $1', noNul(username));
  }
  async pruneSignInFailures(before: string) {
    return this.run('DELETE FROM sign_in_failures WHERE at < $1', before);
  }

  async countReferrals() {
    return this.count('SELECT count(*) AS n FROM referrals');
  }
  async getReferral(id: string) {
    if (hasNul(id)) return undefined;
    const r = await this.get('SELECT data FROM referrals WHERE id = $1', id);
    return r && toReferral(r);
  }
  async insertReferral(ref: Referral) {
    await this.run(
      'INSERT INTO referrals (id, version, status, pathway, nhs_number, referrer_user_id, received_at, due_at, data) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9::jsonb)',
      ref.id, ref.version, ref.status, ref.pathway, ref.patient.nhsNumber, ref.referrer.userId, ref.receivedAt, ref.dueAt, json(ref),
    );
  }
  async updateReferral(ref: Referral) {
    await this.run('UPDATE referrals SET version = $1, status = $2, data = $3::jsonb WHERE id = $4', ref.version, ref.status, json(ref), ref.id);
  }
  async referralsForPatient(nhsNumber: string) {
    if (hasNul(nhsNumber)) return [];
    return (await this.all('SELECT data FROM referrals WHERE nhs_number = $1 ORDER BY received_at', nhsNumber)).map(toReferral);
  }

  async getImage(id: string) {
    if (hasNul(id)) return undefined;
    const r = await this.get('SELECT data FROM images WHERE id = $1', id);
    return r && toImage(r);
  }
  async insertImage(img: ImageRecord, sha256: string) {
    await this.run('INSERT INTO images (id, referral_id, sha256, data) VALUES ($1,$2,$3,$4::jsonb)', img.id, img.referralId, sha256, json(img));
  }
  async countImagesWithSha(sha256: string) {
    return Number((await this.get('SELECT count(*) AS n FROM images WHERE sha256 = $1', sha256))?.n ?? 0);
  }
  async imagesForReferral(referralId: string) {
    return (await this.all('SELECT data FROM images WHERE referral_id = $1 ORDER BY ord', referralId)).map(toImage);
  }

  async getOutcome(id: string) {
    if (hasNul(id)) return undefined;
    const r = await this.get('SELECT data FROM outcomes WHERE id = $1', id);
    return r && toOutcome(r);
  }
  async insertOutcome(o: Outcome) {
    await this.run(
      'INSERT INTO outcomes (id, referral_id, version, status, author_id, final_at, data) VALUES ($1,$2,$3,$4,$5,$6,$7::jsonb)',
      o.id, o.referralId, o.version, o.status, o.author.id, outcomeFinalAt(o), json(o),
    );
  }
  async updateOutcome(o: Outcome) {
    await this.run('UPDATE outcomes SET version = $1, status = $2, final_at = $3, data = $4::jsonb WHERE id = $5', o.version, o.status, outcomeFinalAt(o), json(o), o.id);
  }
  async outcomesForReferral(referralId: string) {
    return (await this.all('SELECT data FROM outcomes WHERE referral_id = $1 ORDER BY ord', referralId)).map(toOutcome);
  }

  async referralsReceivedBetween(start: string, end: string) {
    return (await this.all('SELECT data FROM referrals WHERE received_at >= $1 AND received_at < $2 ORDER BY received_at', start, end)).map(toReferral);
  }
  async decidedBetween(start: string, end: string) {
    const decided = 'SELECT referral_id FROM outcomes WHERE final_at >= $1 AND final_at < $2';
    const referrals = await this.all(`SELECT data FROM referrals WHERE id IN (${decided}) ORDER BY received_at`, start, end);
    const outcomes = await this.all(`SELECT data FROM outcomes WHERE final_at IS NOT NULL AND referral_id IN (${decided}) ORDER BY final_at`, start, end);
    return { referrals: referrals.map(toReferral), outcomes: outcomes.map(toOutcome) };
  }
  async finalOutcomesOfReferralsReceivedBetween(start: string, end: string) {
    return (await this.all(
      'SELECT o.data FROM outcomes o JOIN referrals r ON r.id = o.referral_id WHERE r.received_at >= $1 AND r.received_at < $2 AND o.final_at IS NOT NULL ORDER BY o.final_at',
      start, end,
    )).map(toOutcome);
  }

  async getAnnotation(id: string): Promise<StoredAnnotation | undefined> {
    if (hasNul(id)) return undefined;
    const r = await this.get('SELECT data, deleted FROM annotations WHERE id = $1', id);
    return r && { annotation: toAnnotation(r), deleted: isDeleted(r) };
  }
  async insertAnnotation(a: Annotation) {
    await this.run(
      'INSERT INTO annotations (id, image_id, referral_id, version, author_id, deleted, data) VALUES ($1,$2,$3,$4,$5,false,$6::jsonb)',
      a.id, a.imageId, a.referralId, a.version, a.author.id, json(a),
    );
  }
  async updateAnnotation(a: Annotation) {
    await this.run('UPDATE annotations SET version = $1, data = $2::jsonb WHERE id = $3', a.version, json(a), a.id);
  }
  async markAnnotationDeleted(id: string, version: number) {
    await this.run('UPDATE annotations SET deleted = true, version = $1 WHERE id = $2', version, id);
  }
  async annotationsForReferral(referralId: string) {
    return (await this.all('SELECT data FROM annotations WHERE referral_id = $1 AND NOT deleted ORDER BY ord', referralId)).map(toAnnotation);
  }

  async appendChange(c: ChangeInput) {
    // Runs under the write lock (see the top of this file): the seq drawn here is higher than
    // every committed one and lower than any a later transaction can draw.
    const r = await this.get(
      'INSERT INTO changes (entity_type, entity_id, version, deleted, data, referrer_user_id) VALUES ($1,$2,$3,$4,$5::jsonb,$6) RETURNING seq',
      c.type, c.id, c.version, c.deleted === true, c.deleted ? null : json(c.data), c.referrerUserId,
    );
    return Number(r?.seq);
  }
  async listChanges(afterSeq: number, limit: number, viewer: Viewer): Promise<StoredChange[]> {
    // A plain seq cursor is safe because writers hold the write lock (see the top of this file).
    const rows = isClinician(viewer.role)
      ? await this.all('SELECT * FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2', afterSeq, limit)
      : await this.all('SELECT * FROM changes WHERE referrer_user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3', viewer.userId, afterSeq, limit);
    return rows.map(toChange);
  }

  async getMutation(id: string): Promise<MutationRecord | undefined> {
    if (hasNul(id)) return undefined;
    const r = await this.get('SELECT * FROM mutations WHERE id = $1', id);
    return r && toMutation(r);
  }
  async recordMutation(m: MutationRecord, at: string) {
    await this.run(
      'INSERT INTO mutations (id, user_id, type, entity_id, entity_version, applied_at) VALUES ($1,$2,$3,$4,$5,$6)',
      m.id, m.userId, m.type, m.entityId, m.entityVersion, at,
    );
  }

  async appendAudit(e: AuditInput, at: string): Promise<AuditEvent> {
    // Under the write lock no other transaction can read the same "last" event: no fork.
    const last = await this.get('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1');
    const seq = last ? Number(last.seq) + 1 : 1;
    const prevHash = last ? String(last.hash) : GENESIS_HASH;
    const event = { seq, at, actorId: e.actorId, action: e.action, entityType: e.entityType ?? null, entityId: e.entityId ?? null, detail: e.detail ?? {} };
    const hash = auditHash(prevHash, auditHashInput(event));
    await this.run(
      'INSERT INTO audit_events (seq, at, actor_id, action, entity_type, entity_id, detail, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7::jsonb,$8,$9)',
      seq, at, event.actorId, event.action, event.entityType, event.entityId, json(event.detail), prevHash, hash,
    );
    return { ...event, prevHash, hash };
  }
  async auditForEntity(entityId: string) {
    if (hasNul(entityId)) return [];
    return (await this.all('SELECT * FROM audit_events WHERE entity_id = $1 ORDER BY seq', entityId)).map(toAudit);
  }
  async auditForEntities(entityIds: readonly string[]) {
    const ids = entityIds.filter((id) => !hasNul(id));
    if (ids.length === 0) return [];
    return (await this.all('SELECT * FROM audit_events WHERE entity_id = ANY($1::text[]) ORDER BY seq', ids)).map(toAudit);
  }
  async auditPage(afterSeq: number, limit: number) {
    return (await this.all('SELECT * FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2', afterSeq, limit)).map(toAudit);
  }
}

/** Far above any write transaction's pauses (they are queries and small file renames). */
const IDLE_WRITE_TIMEOUT = '60s';

export class PgRepository implements Repository {
  readonly kind = 'postgres' as const;
  private closed = false;
  /** This instance's write transactions, in the order they were asked for. */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(readonly pool: Pool) {
    // An idle connection that dies (a server restart, a network cut) is dropped by the pool
    // and replaced on the next checkout; without a listener the 'error' event would crash
    // the process. Errors during a query reach the caller as usual.
    pool.on('error', () => undefined);
  }

  /** Connects, brings the schema up to date (safe when instances start together) and opens. */
  static async open(url: string, opts: PgRepositoryOptions = {}): Promise<PgRepository> {
    const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10 });
    try {
      await migratePg(pool);
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PgRepository(pool);
  }

  /**
   * Runs `fn` in one write transaction, after taking the deployment-wide write lock (see the
   * top of this file). Commits when `fn` resolves; rolls back and rethrows when it throws.
   */
  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    // Write transactions run one at a time anyway, so this instance queues its own in memory
    // before checking out a connection: at most one of its connections waits on the lock, and
    // a burst of writes can never take the whole pool and starve reads of connections.
    const run = this.writes.then(() =>
      this.withClient('BEGIN ISOLATION LEVEL READ COMMITTED', async (client) => {
        // A holder stuck between statements (a hung await in `fn`) would stop every instance's
        // writes; PostgreSQL ends such a session, releasing the lock, after this long.
        await client.query(`SET LOCAL idle_in_transaction_session_timeout = '${IDLE_WRITE_TIMEOUT}'`);
        // Nothing of the transaction's own work may happen before the lock is held.
        await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [WRITE_LOCK_KEY]);
        return fn(new PgTx(client));
      }),
    );
    this.writes = run.catch(() => undefined);
    return run;
  }

  /** A consistent, read-only snapshot; never waits for writers. */
  async read<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.withClient('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', (client) => fn(new PgTx(client)));
  }

  private async withClient<T>(begin: string, body: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A connection whose ROLLBACK failed is in an unknown state: destroy it, never reuse it.
    let broken: Error | undefined;
    try {
      await client.query(begin).catch((err: unknown) => {
        broken = err instanceof Error ? err : new Error(String(err));
        throw err;
      });
      try {
        const result = await body(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
          broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
        });
        throw err;
      }
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
