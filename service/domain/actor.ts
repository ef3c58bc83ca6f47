import type { AuthUser } from '../auth/session-service';

/** Who is acting: from the token, never from the request body. */
export type Actor = Pick<AuthUser, 'id' | 'name' | 'role'>;

export const userRef = (a: Actor) => ({ id: a.id, name: a.name, role: a.role });
