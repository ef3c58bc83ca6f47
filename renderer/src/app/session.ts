import { createContext, useContext } from 'react';
import type { LoupeBridge } from '../../../shared/bridge';
import type { ServiceClient } from '../../../shared/client/service-client';
import type { UserRef } from '../../../shared/contract';
import type { LocalStore } from '../data/local-store';
import type { Sync } from '../data/sync';

/** Everything a signed-in screen needs; made at sign-in, dropped at sign-out. */
export interface Session {
  readonly bridge: LoupeBridge;
  readonly serviceUrl: string;
  readonly client: ServiceClient;
  readonly store: LocalStore;
  readonly sync: Sync;
  /** Null only if the profile was lost (e.g. storage cleared) while the token survived. */
  readonly user: UserRef | null;
  signOut(): Promise<void>;
  /** A call came back 401: drop the session and ask the user to sign in again. */
  expire(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in session');
  return session;
}
