import { UserRef } from '../../../shared/contract';

const KEY = 'loupe.user';

/**
 * Who is signed in (name and role only, never the token), so the header survives a reload.
 * Kept with the same lifetime as the token: the tab's session in a browser, the app's local
 * storage on the desktop (where the token itself is kept encrypted by the host).
 */
export function profileStorage(host: 'electron' | 'browser'): Storage | null {
  try {
    return host === 'electron' ? window.localStorage : window.sessionStorage;
  } catch {
    return null;
  }
}

export function loadProfile(storage: Storage | null): UserRef | null {
  const raw = storage?.getItem(KEY);
  if (!raw) return null;
  try {
    const parsed = UserRef.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function saveProfile(storage: Storage | null, user: UserRef): void {
  storage?.setItem(KEY, JSON.stringify(user));
}

export function clearProfile(storage: Storage | null): void {
  storage?.removeItem(KEY);
}
