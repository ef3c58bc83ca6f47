/**
 * Versioned schema migrations for SQLite. Each runs once, in order, inside a transaction, and
 * `PRAGMA user_version` records how far a database has come. Never edit a released migration:
 * add the next one.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  /* 1: users, sessions, referrals, images, outcomes, change feed, mutation log, audit chain */ `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('consultant','registrar','referrer','admin')),
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  );
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    revoked_at TEXT
  );
  CREATE INDEX sessions_user ON sessions(user_id);
  CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    pathway TEXT NOT NULL,
    nhs_number TEXT NOT NULL,
    referrer_user_id TEXT NOT NULL REFERENCES users(id),
    received_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX referrals_nhs ON referrals(nhs_number);
  CREATE INDEX referrals_due ON referrals(status, due_at);
  CREATE TABLE images (
    id TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals(id),
    sha256 TEXT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX images_referral ON images(referral_id);
  CREATE TABLE outcomes (
    id TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals(id),
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    author_id TEXT NOT NULL REFERENCES users(id),
    data TEXT NOT NULL
  );
  CREATE INDEX outcomes_referral ON outcomes(referral_id);
  CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    data TEXT,
    -- who besides clinicians may see it: the referring user, or nobody (NULL)
    referrer_user_id TEXT
  );
  CREATE INDEX changes_referrer ON changes(referrer_user_id, seq);
  CREATE TABLE mutations (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    entity_version INTEGER NOT NULL,
    applied_at TEXT NOT NULL
  );
  CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    entity_type TEXT,
    entity_id TEXT,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE INDEX audit_entity ON audit_events(entity_id, seq);
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
  `,
  /* 2: annotations; refused sign-ins (throttling shared by every instance) */ `
  CREATE TABLE annotations (
    id TEXT PRIMARY KEY,
    image_id TEXT NOT NULL REFERENCES images(id),
    referral_id TEXT NOT NULL REFERENCES referrals(id),
    version INTEGER NOT NULL,
    author_id TEXT NOT NULL REFERENCES users(id),
    deleted INTEGER NOT NULL DEFAULT 0,
    data TEXT NOT NULL
  );
  CREATE INDEX annotations_referral ON annotations(referral_id);
  CREATE TABLE sign_in_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    address TEXT NOT NULL,
    at TEXT NOT NULL
  );
  CREATE INDEX sign_in_failures_username ON sign_in_failures(username, at);
  CREATE INDEX sign_in_failures_address ON sign_in_failures(address, at);
  `,
  /* 3: refused sign-ins are pruned by age once they no longer count */ `
  CREATE INDEX sign_in_failures_at ON sign_in_failures(at);
  `,
  /* 4: service metrics read a period's referrals by receipt and outcomes by when they became final */ `
  ALTER TABLE outcomes ADD COLUMN final_at TEXT;
  UPDATE outcomes SET final_at = coalesce(json_extract(data, '$.signedOff.at'), json_extract(data, '$.submittedAt'))
    WHERE status IN ('final', 'superseded');
  CREATE INDEX outcomes_final ON outcomes(final_at);
  CREATE INDEX referrals_received ON referrals(received_at);
  `,
];
