import { randomUUID } from 'node:crypto';
import type { Role, SessionResponse } from '../../shared/contract';
import type { Repository, UserRow } from '../repo/repository';
import { HttpError, unauthorized } from '../http/http-error';
import { decoyHash, hashPassword, verifyPassword } from './passwords';
import { hashToken, newToken } from './tokens';

export interface AuthUser {
  id: string;
  name: string;
  role: Role;
  tokenHash: string;
}

export interface SessionPolicy {
  absoluteMinutes: number;
  idleMinutes: number;
}

const TOUCH_EVERY_MS = 60_000;

export class SessionService {
  constructor(
    private readonly repo: Repository,
    private readonly policy: SessionPolicy,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async signIn(username: string, password: string): Promise<SessionResponse> {
    const user = await this.repo.read((tx) => tx.findUserByUsername(username));
    // Verify against a decoy when the user is unknown, so response time does not reveal it.
    const ok = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
    const now = this.now();
    if (!user || !ok || user.disabled) {
      await this.repo.transaction((tx) =>
        tx.appendAudit({ actorId: user?.id ?? null, action: 'session.sign-in-failed' }, now.toISOString()),
      );
      throw new HttpError(401, 'invalid_credentials', 'Wrong username or password');
    }
    const token = newToken();
    const expiresAt = new Date(now.getTime() + this.policy.absoluteMinutes * 60_000).toISOString();
    await this.repo.transaction(async (tx) => {
      await tx.insertSession({ tokenHash: hashToken(token), userId: user.id, createdAt: now.toISOString(), expiresAt, lastSeenAt: now.toISOString(), revokedAt: null });
      await tx.appendAudit({ actorId: user.id, action: 'session.sign-in' }, now.toISOString());
    });
    return { token, expiresAt, user: { id: user.id, name: user.name, role: user.role } };
  }

  async authenticate(authorization: string | undefined): Promise<AuthUser> {
    const m = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(authorization ?? '');
    if (!m) throw unauthorized();
    const tokenHash = hashToken(m[1]!);
    const now = this.now();
    const found = await this.repo.read(async (tx) => {
      const session = await tx.getSession(tokenHash);
      const user = session && (await tx.getUser(session.userId));
      return session && user ? { session, user } : undefined;
    });
    if (!found) throw unauthorized();
    const { session, user } = found;
    const idleLimit = Date.parse(session.lastSeenAt) + this.policy.idleMinutes * 60_000;
    if (session.revokedAt || user.disabled || Date.parse(session.expiresAt) <= now.getTime() || idleLimit <= now.getTime()) {
      throw unauthorized();
    }
    // Sliding the idle window costs a write; once a minute is precise enough.
    if (now.getTime() - Date.parse(session.lastSeenAt) > TOUCH_EVERY_MS) {
      await this.repo.transaction((tx) => tx.touchSession(tokenHash, now.toISOString()));
    }
    return { id: user.id, name: user.name, role: user.role, tokenHash };
  }

  async signOut(user: AuthUser): Promise<void> {
    const at = this.now().toISOString();
    await this.repo.transaction(async (tx) => {
      await tx.revokeSession(user.tokenHash, at);
      await tx.appendAudit({ actorId: user.id, action: 'session.sign-out' }, at);
    });
  }
}

export async function newUser(username: string, name: string, role: Role, password: string, now = new Date()): Promise<UserRow> {
  return { id: randomUUID(), username, name, role, passwordHash: await hashPassword(password), disabled: false, createdAt: now.toISOString() };
}
