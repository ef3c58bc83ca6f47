import { z } from 'zod';
import { Role, Uuid } from '../../../../shared/contract';
import { readStored, writeStored } from '../stored-json';

const KEY = 'loupe.last-user';

/**
 * Who last signed in online on this workstation, and when: the one person who may unlock it
 * offline, within the grace period. A clinician's name and role only; no patient data, no
 * secrets (the password verifier lives in that user's encrypted-cache key record).
 */
export const LastUser = z.object({
  userId: Uuid,
  username: z.string().min(1).max(200),
  name: z.string().min(1).max(200),
  role: Role,
  onlineAt: z.number().int().nonnegative(),
});
export type LastUser = z.infer<typeof LastUser>;

export function loadLastUser(storage: Storage | null): LastUser | null {
  return readStored(storage, KEY, LastUser);
}

export function saveLastUser(storage: Storage | null, user: LastUser): void {
  try {
    writeStored(storage, KEY, LastUser, user);
  } catch {
    // Storage full or disabled: offline unlock is then unavailable, nothing else breaks.
  }
}

export function sameUsername(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
