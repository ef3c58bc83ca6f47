import type { Mutation, UserRef } from '../../../shared/contract';
import type { Workspace } from '../data/workspace';
import { localEffects } from '../data/store/local-effects';
import type { WorklistRow } from './worklist-model';

/*
 * Take and release from the worklist row. The rules mirror the case's Review group
 * (`case/ReferralActions.tsx`): anyone may take an unassigned new or in-review referral; the
 * holder, or a consultant, may release one in review. The action itself is the same mutation
 * with the same local effect (`localEffects`), so the row and the case agree at once and the
 * service decides races (a refusal waits in "Your changes").
 */

export type ClaimType = 'referral.claim' | 'referral.release';

export function canTake(row: Pick<WorklistRow, 'status' | 'assignedToId'>): boolean {
  return (row.status === 'new' || row.status === 'in-review') && row.assignedToId === null;
}

export function canRelease(row: Pick<WorklistRow, 'status' | 'assignedToId'>, me: Pick<UserRef, 'id' | 'role'>): boolean {
  return row.assignedToId !== null && (row.assignedToId === me.id || me.role === 'consultant') && row.status === 'in-review';
}

/** What the row's button (and the T key) does now, if anything. */
export function claimActionFor(row: Pick<WorklistRow, 'status' | 'assignedToId'>, me: Pick<UserRef, 'id' | 'role'>): ClaimType | null {
  if (canTake(row)) return 'referral.claim';
  if (canRelease(row, me)) return 'referral.release';
  return null;
}

/** Stores the claim or release with its local effect (read from the full referral, decrypted once). */
export async function claimOrRelease(workspace: Workspace, user: UserRef, referralId: string, type: ClaimType): Promise<void> {
  const referral = await workspace.queries.referral(referralId);
  if (!referral) throw new Error('The referral is no longer on this workstation.');
  const mutation: Omit<Mutation, 'baseVersion'> = { id: crypto.randomUUID(), type, entityId: referral.id, payload: {}, clientTime: new Date().toISOString() };
  await workspace.act({ mutation, effects: localEffects(mutation, { user, now: mutation.clientTime, outcome: null, referral }) });
}
