import { isClinician, type Annotation, type ImageRecord, type Outcome, type Referral } from '../../shared/contract';
import { openSqlite, type SqliteDb } from '../db/sqlite';
import { auditHash, auditHashInput, GENESIS_HASH } from './audit-hash';
import { isDeleted, outcomeFinalAt, toAnnotation, toAudit, toChange, toImage, toMutation, toOutcome, toReferral, toSession, toUser, type Row } from './rows';
import type { AuditEvent, AuditInput, ChangeInput, Repository, SessionRow, SignInFailure, StoredAnnotation, StoredChange, Tx, UserRow, Viewer } from './repository';

class SqliteTx implements Tx {
  constructor(private readonly db: SqliteDb) {}

  private get(sql: string, ...params: unknown[]): Row | undefined {
    return this.db.prepare(sql).get(...params) as Row | undefined;
  }
  private all(sql: string, ...params: unknown[]): Row[] {
    return this.db.prepare(sql).all(...params) as Row[];
  }
  private run(sql: string, ...params: unknown[]): void {
    this.db.prepare(sql).run(...params);
  }

  async countUsers() {
    return Number(this.get('SELECT count(*) AS n FROM users')?.n ?? 0);
  }
  async findUserByUsername(username: string) {
    const r = this.get('SELECT * FROM users WHERE username = ?', username);
    return r && toUser(r);
  }
  async getUser(id: string) {
    const r = this.get('SELECT * FROM users WHERE id = ?', id);
    return r && toUser(r);
  }
  async insertUser(u: UserRow) {
    this.run(
      'INSERT INTO users (id, username, name, role, password_hash, disabled, created_at) VALUES (?,?,?,?,?,?,?)',
      u.id, u.username, u.name, u.role, u.passwordHash, u.disabled ? 1 : 0, u.createdAt,
    );
  }

  async listUsers() {
    return this.all('SELECT * FROM users ORDER BY username').map(toUser);
  }
  async updateUser(u: UserRow) {
    this.run('UPDATE users SET name = ?, role = ?, password_hash = ?, disabled = ? WHERE id = ?', u.name, u.role, u.passwordHash, u.disabled ? 1 : 0, u.id);
  }

  async insertSession(s: SessionRow) {
    this.run(
      'INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at, revoked_at) VALUES (?,?,?,?,?,?)',
      s.tokenHash, s.userId, s.createdAt, s.expiresAt, s.lastSeenAt, s.revokedAt,
    );
  }
  async getSession(tokenHash: string) {
    const r = this.get('SELECT * FROM sessions WHERE token_hash = ?', tokenHash);
    return r && toSession(r);
  }
  async touchSession(tokenHash: string, at: string) {
    this.run('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?', at, tokenHash);
  }
  async revokeSession(tokenHash: string, at: string) {
    this.run('UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL', at, tokenHash);
  }

  async revokeSessionsForUser(userId: string, at: string) {
    return this.db.prepare('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL').run(at, userId).changes;
  }

  async recordSignInFailure(f: SignInFailure, at: string) {
    this.run('INSERT INTO sign_in_failures (username, address, at) VALUES (?,?,?)', f.username, f.address, at);
  }
  async countSignInFailures(key: { username: string } | { address: string }, since: string) {
    const r = 'username' in key
      ? this.get('SELECT count(*) AS n FROM sign_in_failures WHERE username = ? AND at >= ?', key.username, since)
      : this.get('SELECT count(*) AS n FROM sign_in_failures WHERE address = ? AND at >= ?', key.address, since);
    return Number(r?.n ?? 0);
  }
  async clearSignInFailures(username: string) {
    this.run('DELETE FROM sign_in_failures WHERE username = ?', username);
  }
  async pruneSignInFailures(before: string) {
    return this.db.prepare('DELETE FROM sign_in_failures WHERE at < ?').run(before).changes;
  }

  async countReferrals() {
    return Number(this.get('SELECT count(*) AS n FROM referrals')?.n ?? 0);
  }
  async getReferral(id: string) {
    const r = this.get('SELECT data FROM referrals WHERE id = ?', id);
    return r && toReferral(r);
  }
  async insertReferral(ref: Referral) {
    this.run(
      'INSERT INTO referrals (id, version, status, pathway, nhs_number, referrer_user_id, received_at, due_at, data) VALUES (?,?,?,?,?,?,?,?,?)',
      ref.id, ref.version, ref.status, ref.pathway, ref.patient.nhsNumber, ref.referrer.userId, ref.receivedAt, ref.dueAt, JSON.stringify(ref),
    );
  }
  async updateReferral(ref: Referral) {
    this.run('UPDATE referrals SET version = ?, status = ?, data = ? WHERE id = ?', ref.version, ref.status, JSON.stringify(ref), ref.id);
  }
  async referralsForPatient(nhsNumber: string) {
    return this.all('SELECT data FROM referrals WHERE nhs_number = ? ORDER BY received_at', nhsNumber).map(toReferral);
  }

  async getImage(id: string) {
    const r = this.get('SELECT data FROM images WHERE id = ?', id);
    return r && toImage(r);
  }
  async insertImage(img: ImageRecord, sha256: string) {
    this.run('INSERT INTO images (id, referral_id, sha256, data) VALUES (?,?,?,?)', img.id, img.referralId, sha256, JSON.stringify(img));
  }
  async countImagesWithSha(sha256: string) {
    return Number(this.get('SELECT count(*) AS n FROM images WHERE sha256 = ?', sha256)?.n ?? 0);
  }
  async imagesForReferral(referralId: string) {
    return this.all('SELECT data FROM images WHERE referral_id = ? ORDER BY rowid', referralId).map(toImage);
  }

  async getOutcome(id: string) {
    const r = this.get('SELECT data FROM outcomes WHERE id = ?', id);
    return r && toOutcome(r);
  }
  async insertOutcome(o: Outcome) {
    this.run(
      'INSERT INTO outcomes (id, referral_id, version, status, author_id, final_at, data) VALUES (?,?,?,?,?,?,?)',
      o.id, o.referralId, o.version, o.status, o.author.id, outcomeFinalAt(o), JSON.stringify(o),
    );
  }
  async updateOutcome(o: Outcome) {
    this.run('UPDATE outcomes SET version = ?, status = ?, final_at = ?, data = ? WHERE id = ?', o.version, o.status, outcomeFinalAt(o), JSON.stringify(o), o.id);
  }
  async outcomesForReferral(referralId: string) {
    return this.all('SELECT data FROM outcomes WHERE referral_id = ? ORDER BY rowid', referralId).map(toOutcome);
  }

  async referralsReceivedBetween(start: string, end: string) {
    return this.all('SELECT data FROM referrals WHERE received_at >= ? AND received_at < ? ORDER BY received_at', start, end).map(toReferral);
  }
  async decidedBetween(start: string, end: string) {
    const decided = 'SELECT referral_id FROM outcomes WHERE final_at >= ? AND final_at < ?';
    return {
      referrals: this.all(`SELECT data FROM referrals WHERE id IN (${decided}) ORDER BY received_at`, start, end).map(toReferral),
      outcomes: this.all(`SELECT data FROM outcomes WHERE final_at IS NOT NULL AND referral_id IN (${decided}) ORDER BY final_at`, start, end).map(toOutcome),
    };
  }
  async finalOutcomesOfReferralsReceivedBetween(start: string, end: string) {
    return this.all(
      'SELECT o.data FROM outcomes o JOIN referrals r ON r.id = o.referral_id WHERE r.received_at >= ? AND r.received_at < ? AND o.final_at IS NOT NULL ORDER BY o.final_at',
      start, end,
    ).map(toOutcome);
  }

  async getAnnotation(id: string): Promise<StoredAnnotation | undefined> {
    const r = this.get('SELECT data, deleted FROM annotations WHERE id = ?', id);
    return r && { annotation: toAnnotation(r), deleted: isDeleted(r) };
  }
  async insertAnnotation(a: Annotation) {
    this.run(
      'INSERT INTO annotations (id, image_id, referral_id, version, author_id, deleted, data) VALUES (?,?,?,?,?,0,?)',
      a.id, a.imageId, a.referralId, a.version, a.author.id, JSON.stringify(a),
    );
  }
  async updateAnnotation(a: Annotation) {
    this.run('UPDATE annotations SET version = ?, data = ? WHERE id = ?', a.version, JSON.stringify(a), a.id);
  }
  async markAnnotationDeleted(id: string, version: number) {
    this.run('UPDATE annotations SET deleted = 1, version = ? WHERE id = ?', version, id);
  }
  async annotationsForReferral(referralId: string) {
    return this.all('SELECT data FROM annotations WHERE referral_id = ? AND deleted = 0 ORDER BY rowid', referralId).map(toAnnotation);
  }

  async appendChange(c: ChangeInput) {
    const info = this.db
      .prepare('INSERT INTO changes (entity_type, entity_id, version, deleted, data, referrer_user_id) VALUES (?,?,?,?,?,?)')
      .run(c.type, c.id, c.version, c.deleted ? 1 : 0, c.deleted ? null : JSON.stringify(c.data), c.referrerUserId);
    return Number(info.lastInsertRowid);
  }
  async listChanges(afterSeq: number, limit: number, viewer: Viewer): Promise<StoredChange[]> {
    // SQLite has one writer at a time, so seq follows commit order and a seq cursor never
    // skips a late commit (PostgreSQL gets the same from its write lock).
    const rows = isClinician(viewer.role)
      ? this.all('SELECT * FROM changes WHERE seq > ? ORDER BY seq LIMIT ?', afterSeq, limit)
      : this.all('SELECT * FROM changes WHERE referrer_user_id = ? AND seq > ? ORDER BY seq LIMIT ?', viewer.userId, afterSeq, limit);
    return rows.map(toChange);
  }

  async getMutation(id: string) {
    const r = this.get('SELECT * FROM mutations WHERE id = ?', id);
    return r && toMutation(r);
  }
  async recordMutation(m: { id: string; userId: string; type: string; entityId: string; entityVersion: number }, at: string) {
    this.run('INSERT INTO mutations (id, user_id, type, entity_id, entity_version, applied_at) VALUES (?,?,?,?,?,?)', m.id, m.userId, m.type, m.entityId, m.entityVersion, at);
  }

  async appendAudit(e: AuditInput, at: string): Promise<AuditEvent> {
    const last = this.get('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1');
    const seq = last ? Number(last.seq) + 1 : 1;
    const prevHash = last ? String(last.hash) : GENESIS_HASH;
    const event = { seq, at, actorId: e.actorId, action: e.action, entityType: e.entityType ?? null, entityId: e.entityId ?? null, detail: e.detail ?? {} };
    const hash = auditHash(prevHash, auditHashInput(event));
    this.run(
      'INSERT INTO audit_events (seq, at, actor_id, action, entity_type, entity_id, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)',
      seq, at, event.actorId, event.action, event.entityType, event.entityId, JSON.stringify(event.detail), prevHash, hash,
    );
    return { ...event, prevHash, hash };
  }
  async auditForEntity(entityId: string) {
    return this.all('SELECT * FROM audit_events WHERE entity_id = ? ORDER BY seq', entityId).map(toAudit);
  }
  async auditForEntities(entityIds: readonly string[]) {
    if (entityIds.length === 0) return [];
    return this.all(`SELECT * FROM audit_events WHERE entity_id IN (${entityIds.map(() => '?').join(',')}) ORDER BY seq`, ...entityIds).map(toAudit);
  }
  async auditPage(afterSeq: number, limit: number) {
    return this.all('SELECT * FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?', afterSeq, limit).map(toAudit);
  }
}

/**
 * better-sqlite3 is synchronous, but the repository interface is async (PostgreSQL is). A
 * queue serialises transactions so an `await` inside one can never interleave another's
 * statements on the single connection.
 */
export class SqliteRepository implements Repository {
  readonly kind = 'sqlite' as const;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly tx: SqliteTx;

  constructor(readonly db: SqliteDb) {
    this.tx = new SqliteTx(db);
  }

  static open(file: string): SqliteRepository {
    return new SqliteRepository(openSqlite(file));
  }

  private serialise<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.serialise(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.tx);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.serialise(() => fn(this.tx));
  }

  async close(): Promise<void> {
    await this.queue;
    this.db.close();
  }
}
