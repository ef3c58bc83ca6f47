import { createHash } from 'node:crypto';
import type { AuditEvent } from '../../shared/contract';

/** JSON with object keys sorted at every depth, so the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export const GENESIS_HASH = '0'.repeat(64);

/** Each audit event commits to its predecessor, so editing or deleting any row breaks the chain. */
export function auditHash(prevHash: string, event: object): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(event)).digest('hex');
}

/** What an audit hash commits to: every column but the hashes themselves. */
export function auditHashInput(e: Omit<AuditEvent, 'prevHash' | 'hash'>): object {
  return { seq: e.seq, at: e.at, actorId: e.actorId, action: e.action, entityType: e.entityType, entityId: e.entityId, detail: e.detail };
}

export interface ChainPosition {
  seq: number;
  hash: string;
}

export const CHAIN_START: ChainPosition = { seq: 0, hash: GENESIS_HASH };

/**
 * Checks one event against the one before it: sequence numbers are contiguous (a deleted row
 * leaves a gap), it names its predecessor's hash, and its own hash matches its contents (an
 * edited row). Returns why the link is broken, or null when it holds.
 */
export function brokenLink(prev: ChainPosition, event: AuditEvent): string | null {
  if (event.seq !== prev.seq + 1) return `event ${prev.seq + 1} is missing`;
  if (event.prevHash !== prev.hash) return `event ${event.seq} does not follow event ${prev.seq}`;
  if (event.hash !== auditHash(event.prevHash, auditHashInput(event))) return `event ${event.seq} was altered`;
  return null;
}
