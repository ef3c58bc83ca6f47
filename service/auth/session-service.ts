import { createHash, randomUUID } from 'node:crypto';
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

/** Refused sign-ins allowed within a sliding window, per username and per client address. */
export interface SignInThrottle {
  windowMinutes: number;
  maxPerUsername: number;
  maxPerAddress: number;
}

const TOUCH_EVERY_MS = 60_000;
const PRUNE_EVERY_MS = 60_000;

/**
 * The key sign-in failures are kept under: a hash of the username as typed, because a wrong
 * "username" is often a password typed into the wrong field and must not sit in the database.
 */
export function throttleKey(username: string): string {
  return createHash('sha256').update(`loupe-sign-in\n${username}`).digest('hex');
}

/** Sign-in refused for now: 429 with `Retry-After`. */
export class SignInThrottled extends HttpError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'too_many_attempts', 'Too many failed sign-ins; try again later', { retryAfterSeconds });
  }
}

export class SessionService {
  private lastPrune = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly repo: Repository,
    private readonly policy: SessionPolicy,
    private readonly throttle: SignInThrottle,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * `address` is the client's address as the server sees it (`req.ip`). Throttling counts
   * refused sign-ins in the database, so it holds across every instance sharing it.
   *
   * The attempt is counted *before* the password is checked, in the same write transaction as
   * the check (write transactions are serialised across instances): a burst of parallel guesses
   * cannot all pass the check while the slow scrypt runs. A success then clears the username's
   * failures, the provisional one included; a throttled attempt is not counted, so the limit
   * lifts once the window has passed even if the guessing goes on.
   */
  async signIn(username: string, password: string, address: string): Promise<SessionResponse> {
    const key = throttleKey(username);
    const started = this.now();
    // Failures strictly inside the window (`since` is inclusive): one made at time f stops
    // counting at f + window exactly, which is what makes Retry-After below an upper bound.
    const since = new Date(started.getTime() - this.throttle.windowMinutes * 60_000 + 1).toISOString();
    const admitted = await this.repo.transaction(async (tx) => {
      // Failures older than the window no longer count; forget them now and then, so a
      // guessing campaign over many usernames cannot grow the table without end.
      if (started.getTime() - this.lastPrune >= PRUNE_EVERY_MS) {
        await tx.pruneSignInFailures(since);
        this.lastPrune = started.getTime();
      }
      const user = await tx.findUserByUsername(username);
      const byUsername = await tx.countSignInFailures({ username: key }, since);
      const byAddress = await tx.countSignInFailures({ address }, since);
      const limit = byUsername >= this.throttle.maxPerUsername ? 'username' : byAddress >= this.throttle.maxPerAddress ? 'address' : null;
      if (limit) {
        // The user's id when known, never the username as typed (it may be someone's password).
        await tx.appendAudit({ actorId: user?.id ?? null, action: 'session.sign-in-throttled', detail: { limit, address } }, started.toISOString());
        return { throttled: true as const };
      }
      await tx.recordSignInFailure({ username: key, address }, started.toISOString());
      return { throttled: false as const, user };
    });
    if (admitted.throttled) {
      // Honest upper bound: with only counts stored we cannot tell when the oldest counted
      // failure leaves the window, but all of them have after one whole window, and attempts
      // refused meanwhile are not counted. The limit may lift earlier.
      throw new SignInThrottled(this.throttle.windowMinutes * 60);
    }
    const user = admitted.user;
    // Verify against a decoy when the user is unknown, so response time does not reveal it.
    const ok = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
    const now = this.now();
    if (!user || !ok || user.disabled) {
      // The failure was recorded above; only the audit event is left to write.
      await this.repo.transaction((tx) =>
        tx.appendAudit({ actorId: user?.id ?? null, action: 'session.sign-in-failed', detail: { address } }, now.toISOString()),
      );
      throw new HttpError(401, 'invalid_credentials', 'Wrong username or password');
    }
    const token = newToken();
    const expiresAt = new Date(now.getTime() + this.policy.absoluteMinutes * 60_000).toISOString();
    await this.repo.transaction(async (tx) => {
      await tx.clearSignInFailures(key);
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
