import { Annotation, EntityType, ImageRecord, Outcome, Referral, Role, type AuditEvent } from '../../shared/contract';
import { finalAt } from '../../shared/domain/metrics';
import type { MutationRecord, SessionRow, StoredChange, UserRow } from './repository';

/** A row as either driver returns it: SQLite gives JSON as text and 0/1 flags, PostgreSQL jsonb and booleans. */
export type Row = Record<string, unknown>;

const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);
const flag = (v: unknown): boolean => v === true || v === 1;
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** Entities are stored as their contract JSON in `data`; reading parses them back with their schema. */
const entity = <T>(schema: { parse(value: unknown): T }) => (r: Row): T => schema.parse(json(r.data));
export const toReferral = entity(Referral);
export const toImage = entity(ImageRecord);
export const toOutcome = entity(Outcome);
export const toAnnotation = entity(Annotation);

/**
 * The indexed `final_at` column: when the outcome became final, kept on a superseded one
 * (it was final then). Derived from the snapshot so the two can never disagree.
 */
export const outcomeFinalAt = (o: Outcome): string | null => finalAt(o);

export const toUser = (r: Row): UserRow => ({
  id: String(r.id),
  username: String(r.username),
  name: String(r.name),
  role: Role.parse(r.role),
  passwordHash: String(r.password_hash),
  disabled: flag(r.disabled),
  createdAt: String(r.created_at),
});

export const toSession = (r: Row): SessionRow => ({
  tokenHash: String(r.token_hash),
  userId: String(r.user_id),
  createdAt: String(r.created_at),
  expiresAt: String(r.expires_at),
  lastSeenAt: String(r.last_seen_at),
  revokedAt: text(r.revoked_at),
});

/**
 * Not parsed with `AuditEvent`: verification must see a tampered row exactly as stored (a
 * malformed hash is a broken link to report, not a read error). `seq` may arrive as a string
 * (PostgreSQL bigint); numbers stay exact far beyond any real chain.
 */
export const toAudit = (r: Row): AuditEvent => ({
  seq: Number(r.seq),
  at: String(r.at),
  actorId: text(r.actor_id),
  action: String(r.action),
  entityType: text(r.entity_type),
  entityId: text(r.entity_id),
  detail: json(r.detail) as AuditEvent['detail'],
  prevHash: String(r.prev_hash),
  hash: String(r.hash),
});

export const isDeleted = (r: Row): boolean => flag(r.deleted);

/** A change-feed row; its snapshot was parsed by its schema when it was written. */
export const toChange = (r: Row): StoredChange => ({
  seq: Number(r.seq),
  type: EntityType.parse(r.entity_type),
  id: String(r.entity_id),
  version: Number(r.version),
  deleted: flag(r.deleted),
  data: r.data === null || r.data === undefined ? null : json(r.data),
});

export const toMutation = (r: Row): MutationRecord => ({
  id: String(r.id),
  userId: String(r.user_id),
  type: String(r.type),
  entityId: String(r.entity_id),
  entityVersion: Number(r.entity_version),
});
