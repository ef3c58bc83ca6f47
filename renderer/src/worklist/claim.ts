import type { Mutation, Referral, UserRef } from '../../../shared/contract';
import type { Workspace } from '../data/workspace';
import { localEffects } from '../data/store/local-effects';
import type { WorklistRow } from './worklist-model';

/*
 * Take and release, from the worklist row and from the case's Review group
 * (`case/ReferralActions.tsx`), by the same rules: anyone may take an unassigned new or in-review referral; the
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

/** The fields the take/release rules read, from a whole referral. */
export const claimFacts = (referral: Referral): Pick<WorklistRow, 'status' | 'assignedToId'> => ({
  status: referral.status,
  assignedToId: referral.assignedTo?.id ?? null,
});

/** Stores the claim or release with its local effect (read from the full referral, decrypted once). */
export async function claimOrRelease(workspace: Workspace, user: UserRef, referralId: string, type: ClaimType): Promise<void> {
  const referral = await workspace.queries.referral(referralId);
  if (!referral) throw new Error('The referral is no longer on this workstation.');
  await storeClaim(workspace, user, referral, type);
}

/** The claim or release mutation and its local effect, in the outbox in one transaction. */
export async function storeClaim(workspace: Workspace, user: UserRef, referral: Referral, type: ClaimType): Promise<void> {
  const mutation: Omit<Mutation, 'baseVersion'> = { id: crypto.randomUUID(), type, entityId: referral.id, payload: {}, clientTime: new Date().toISOString() };
  await workspace.act({ mutation, effects: localEffects(mutation, { user, now: mutation.clientTime, outcome: null, referral }) });
}
