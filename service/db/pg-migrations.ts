import type { Pool } from 'pg';

/**
 * Versioned schema migrations for PostgreSQL, one entry per version, mirroring SQLite's
 * (`migrations.ts`): version N here holds the same tables, columns and indexes as SQLite's
 * version N, so both backends are at the same schema version at every release. Never edit a
 * released migration: add the next one (to both lists).
 *
 * Type choices, and why:
 * - Ids and enums are `text`; versions `integer`; flags `boolean`.
 * - Timestamps are `text COLLATE "C"` holding the ISO strings the service writes, exactly as
 *   SQLite keeps them. Reading back gives the very string that was written, so the audit hash
 *   (which covers `at`) recomputes byte for byte; `timestamptz` would normalise the precision
 *   and the zone. The "C" collation makes `<`, `>=` and `ORDER BY` compare bytes, as SQLite
 *   does, instead of following the database's locale (which may ignore punctuation). Usernames
 *   are `COLLATE "C"` for the same reason (`listUsers` orders by them like SQLite).
 * - Entity snapshots (`data`) and audit `detail` are `jsonb`. Entities are parsed with their
 *   zod schema after reading, and the audit hash is over a canonical encoding with sorted keys
 *   (`canonicalJson`), so jsonb's reordering of keys changes nothing that is checked.
 * - `changes.seq` is an identity column. Identity values are handed out when the row is
 *   inserted, not at commit, so on their own they do NOT follow commit order across sessions;
 *   the repository's one advisory lock around every write transaction is what makes them do so
 *   (see `pg-repository.ts`). The sequence keeps the default CACHE 1: a per-session cache
 *   would hand two instances interleaved ranges and break that ordering. Values burnt by a
 *   rolled-back transaction leave gaps, which a `seq > cursor` reader never notices.
 * - PostgreSQL has no rowid, so the tables read back "in insertion order" (images, outcomes,
 *   annotations) get an identity `ord` column to order by.
 * - `audit_events.seq` is assigned by the repository (last + 1, under the write lock), not by
 *   a sequence: the hash chain needs contiguous numbers, which a sequence does not promise.
 */
export const PG_MIGRATIONS: readonly string[] = [
  /* 1: users, sessions, referrals, images, outcomes, change feed, mutation log, audit chain */ `
  CREATE TABLE users (
    id text PRIMARY KEY,
    username text COLLATE "C" NOT NULL UNIQUE,
    name text NOT NULL,
    role text NOT NULL CHECK (role IN ('consultant','registrar','referrer','admin')),
    password_hash text NOT NULL,
    disabled boolean NOT NULL DEFAULT false,
    created_at text COLLATE "C" NOT NULL
  );
  CREATE TABLE sessions (
    token_hash text PRIMARY KEY,
    user_id text NOT NULL REFERENCES users(id),
    created_at text COLLATE "C" NOT NULL,
    expires_at text COLLATE "C" NOT NULL,
    last_seen_at text COLLATE "C" NOT NULL,
    revoked_at text COLLATE "C"
  );
  CREATE INDEX sessions_user ON sessions(user_id);
  CREATE TABLE referrals (
    id text PRIMARY KEY,
    version integer NOT NULL,
    status text NOT NULL,
    pathway text NOT NULL,
    nhs_number text NOT NULL,
    referrer_user_id text NOT NULL REFERENCES users(id),
    received_at text COLLATE "C" NOT NULL,
    due_at text COLLATE "C" NOT NULL,
    data jsonb NOT NULL
  );
  CREATE INDEX referrals_nhs ON referrals(nhs_number);
  CREATE INDEX referrals_due ON referrals(status, due_at);
  CREATE TABLE images (
    id text PRIMARY KEY,
    referral_id text NOT NULL REFERENCES referrals(id),
    sha256 text NOT NULL,
    data jsonb NOT NULL,
    ord bigint GENERATED ALWAYS AS IDENTITY UNIQUE
  );
  CREATE INDEX images_referral ON images(referral_id, ord);
  CREATE TABLE outcomes (
    id text PRIMARY KEY,
    referral_id text NOT NULL REFERENCES referrals(id),
    version integer NOT NULL,
    status text NOT NULL,
    author_id text NOT NULL REFERENCES users(id),
    data jsonb NOT NULL,
    ord bigint GENERATED ALWAYS AS IDENTITY UNIQUE
  );
  CREATE INDEX outcomes_referral ON outcomes(referral_id, ord);
  CREATE TABLE changes (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_type text NOT NULL,
    entity_id text NOT NULL,
    version integer NOT NULL,
    deleted boolean NOT NULL DEFAULT false,
    data jsonb,
    -- who besides clinicians may see it: the referring user, or nobody (NULL)
    referrer_user_id text
  );
  CREATE INDEX changes_referrer ON changes(referrer_user_id, seq);
  CREATE TABLE mutations (
    id text PRIMARY KEY,
    user_id text NOT NULL,
    type text NOT NULL,
    entity_id text NOT NULL,
    entity_version integer NOT NULL,
    applied_at text COLLATE "C" NOT NULL
  );
  CREATE TABLE audit_events (
    seq bigint PRIMARY KEY,
    at text COLLATE "C" NOT NULL,
    actor_id text,
    action text NOT NULL,
    entity_type text,
    entity_id text,
    detail jsonb NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL
  );
  CREATE INDEX audit_entity ON audit_events(entity_id, seq);
  -- Append-only: any UPDATE, DELETE or TRUNCATE of audit events fails (TRUNCATE fires no row
  -- triggers, so it has its own statement trigger). Only the table's owner can switch these
  -- off, and doing so is itself visible in the catalogue.
  CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION 'audit events are append-only';
  END
  $$;
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
  CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
  `,
  /* 2: annotations; refused sign-ins (throttling shared by every instance) */ `
  CREATE TABLE annotations (
    id text PRIMARY KEY,
    image_id text NOT NULL REFERENCES images(id),
    referral_id text NOT NULL REFERENCES referrals(id),
    version integer NOT NULL,
    author_id text NOT NULL REFERENCES users(id),
    deleted boolean NOT NULL DEFAULT false,
    data jsonb NOT NULL,
    ord bigint GENERATED ALWAYS AS IDENTITY UNIQUE
  );
  CREATE INDEX annotations_referral ON annotations(referral_id, ord);
  CREATE TABLE sign_in_failures (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username text NOT NULL,
    address text NOT NULL,
    at text COLLATE "C" NOT NULL
  );
  CREATE INDEX sign_in_failures_username ON sign_in_failures(username, at);
  CREATE INDEX sign_in_failures_address ON sign_in_failures(address, at);
  `,
  /* 3: refused sign-ins are pruned by age once they no longer count */ `
  CREATE INDEX sign_in_failures_at ON sign_in_failures(at);
  `,
  /* 4: service metrics read a period's referrals by receipt and outcomes by when they became final */ `
  ALTER TABLE outcomes ADD COLUMN final_at text COLLATE "C";
  UPDATE outcomes SET final_at = coalesce(data->'signedOff'->>'at', data->>'submittedAt')
    WHERE status IN ('final', 'superseded');
  CREATE INDEX outcomes_final ON outcomes(final_at);
  CREATE INDEX referrals_received ON referrals(received_at);
  `,
];

/**
 * Session-level advisory lock held while migrating, so that instances starting together
 * migrate one after another: the second waits, then finds nothing left to do. A different
 * key from the repository's write lock ("LoupeMig" in ASCII).
 */
export const MIGRATION_LOCK_KEY = '5507749994893764967';

/**
 * Brings the database up to the newest version this code knows, each version in its own
 * transaction with its `schema_migrations` row, so a failing migration leaves the database at
 * the previous version. Refuses a database migrated by a newer service (as SQLite's `migrate`
 * does). Returns the schema version.
 */
export async function migratePg(pool: Pool, migrations: readonly string[] = PG_MIGRATIONS): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    const current = rows[0]?.v ?? 0;
    if (current > migrations.length) {
      throw new Error(`database schema v${current} is newer than this service (v${migrations.length}); refusing to run`);
    }
    for (let v = current; v < migrations.length; v++) {
      await client.query('BEGIN');
      try {
        await client.query(migrations[v]!);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [v + 1]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    }
    return migrations.length;
  } finally {
    // Discard the connection rather than return it to the pool: ending the session releases
    // the session-level lock whatever happened above, so it can never leak to later users.
    client.release(true);
  }
}
