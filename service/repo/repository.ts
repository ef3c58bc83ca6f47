import type { Annotation, AuditEvent, EntityType, ImageRecord, Outcome, Referral, Role } from '../../shared/contract';

export type { AuditEvent };

export interface UserRow {
  id: string;
  username: string;
  name: string;
  role: Role;
  passwordHash: string;
  disabled: boolean;
  createdAt: string;
}

export interface SessionRow {
  tokenHash: string;
  userId: string;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
  revokedAt: string | null;
}

export interface ChangeInput {
  type: EntityType;
  id: string;
  version: number;
  data: unknown;
  deleted?: boolean;
  /** The referring user may see this change too (clinicians always may). */
  referrerUserId: string | null;
}

export interface StoredChange {
  seq: number;
  type: EntityType;
  id: string;
  version: number;
  deleted: boolean;
  data: unknown;
}

export interface Viewer {
  userId: string;
  role: Role;
}

export interface AuditInput {
  actorId: string | null;
  action: string;
  entityType?: string;
  entityId?: string;
  /** Identifiers and outcomes only: never clinical free text. */
  detail?: Record<string, string | number | boolean | null>;
}

export interface StoredAnnotation {
  annotation: Annotation;
  /** Deleted annotations keep their row (and id) so an id is never reused. */
  deleted: boolean;
}

/** One refused sign-in, kept to throttle guessing across every instance of the service. */
export interface SignInFailure {
  username: string;
  address: string;
}

export interface MutationRecord {
  id: string;
  userId: string;
  type: string;
  entityId: string;
  entityVersion: number;
}

/**
 * Everything the service stores, behind one interface so SQLite (embedded) and PostgreSQL
 * (a trust's central service, any number of instances) are interchangeable. Every call happens
 * inside `transaction` or `read`, so a mutation, its change-feed entries and its audit event
 * commit together.
 *
 * Write transactions are serialised across every instance sharing the database (SQLite: one
 * writer; PostgreSQL: a transaction-scoped advisory lock taken first). That is what makes the
 * change feed's `seq` follow commit order, so a `seq` cursor can never skip a change that
 * commits late, and what keeps the audit hash chain from forking. Reads never wait for it.
 */
export interface Tx {
  countUsers(): Promise<number>;
  findUserByUsername(username: string): Promise<UserRow | undefined>;
  getUser(id: string): Promise<UserRow | undefined>;
  insertUser(user: UserRow): Promise<void>;
  listUsers(): Promise<UserRow[]>;
  /** Replaces name, role, password hash and the disabled flag of an existing user. */
  updateUser(user: UserRow): Promise<void>;

  insertSession(session: SessionRow): Promise<void>;
  getSession(tokenHash: string): Promise<SessionRow | undefined>;
  touchSession(tokenHash: string, at: string): Promise<void>;
  revokeSession(tokenHash: string, at: string): Promise<void>;
  revokeSessionsForUser(userId: string, at: string): Promise<number>;

  recordSignInFailure(failure: SignInFailure, at: string): Promise<void>;
  /** Failures for a username, or from an address, at or after `since`. */
  countSignInFailures(key: { username: string } | { address: string }, since: string): Promise<number>;
  clearSignInFailures(username: string): Promise<void>;
  /** Forgets failures from before `before` (they no longer count); returns how many. */
  pruneSignInFailures(before: string): Promise<number>;

  countReferrals(): Promise<number>;
  getReferral(id: string): Promise<Referral | undefined>;
  insertReferral(referral: Referral): Promise<void>;
  updateReferral(referral: Referral): Promise<void>;
  referralsForPatient(nhsNumber: string): Promise<Referral[]>;

  getImage(id: string): Promise<ImageRecord | undefined>;
  insertImage(image: ImageRecord, sha256: string): Promise<void>;
  imagesForReferral(referralId: string): Promise<ImageRecord[]>;
  /** How many images name an original: zero means it may be removed. */
  countImagesWithSha(sha256: string): Promise<number>;

  getOutcome(id: string): Promise<Outcome | undefined>;
  insertOutcome(outcome: Outcome): Promise<void>;
  updateOutcome(outcome: Outcome): Promise<void>;
  outcomesForReferral(referralId: string): Promise<Outcome[]>;

  /** Referrals received at or after `start` and before `end` (ISO instants). */
  referralsReceivedBetween(start: string, end: string): Promise<Referral[]>;
  /**
   * The referrals with an outcome that became final at or after `start` and before `end`, and
   * every outcome of theirs that has ever become final (superseded ones included), so the
   * first decision on each can be told from a later amendment.
   */
  decidedBetween(start: string, end: string): Promise<{ referrals: Referral[]; outcomes: Outcome[] }>;
  /** Every outcome that has become final of the referrals received in [start, end). */
  finalOutcomesOfReferralsReceivedBetween(start: string, end: string): Promise<Outcome[]>;

  getAnnotation(id: string): Promise<StoredAnnotation | undefined>;
  insertAnnotation(annotation: Annotation): Promise<void>;
  updateAnnotation(annotation: Annotation): Promise<void>;
  markAnnotationDeleted(id: string, version: number): Promise<void>;
  /** The live (not deleted) annotations on a referral's images. */
  annotationsForReferral(referralId: string): Promise<Annotation[]>;

  appendChange(change: ChangeInput): Promise<number>;
  listChanges(afterSeq: number, limit: number, viewer: Viewer): Promise<StoredChange[]>;

  getMutation(id: string): Promise<MutationRecord | undefined>;
  recordMutation(record: MutationRecord, at: string): Promise<void>;

  appendAudit(event: AuditInput, at: string): Promise<AuditEvent>;
  auditForEntity(entityId: string): Promise<AuditEvent[]>;
  auditForEntities(entityIds: readonly string[]): Promise<AuditEvent[]>;
  /** Events in `seq` order after `afterSeq`; for walking the whole chain in pages. */
  auditPage(afterSeq: number, limit: number): Promise<AuditEvent[]>;
}

export interface Repository {
  readonly kind: 'sqlite' | 'postgres';
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
