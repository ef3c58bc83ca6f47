import { createContext, useContext } from 'react';
import type { LoupeBridge } from '../../../shared/bridge';
import type { UserRef } from '../../../shared/contract';
import type { WorkstationSettings } from '../../../shared/workstation-settings';
import type { Workspace } from '../data/workspace';
import type { SessionServices } from './access/lifecycle';

/** Everything a signed-in screen needs; made at sign-in or unlock, dropped at sign-out. */
export interface Session {
  readonly bridge: LoupeBridge;
  readonly serviceUrl: string;
  readonly user: UserRef;
  readonly workspace: Workspace;
  /** Tile cache, loader and prefetch of this user. */
  readonly tiles: SessionServices;
  readonly settings: WorkstationSettings;
  updateSettings(next: WorkstationSettings): void;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in session');
  return session;
}
