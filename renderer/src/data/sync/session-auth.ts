import { ServiceClient, ServiceError, type FetchLike } from '../../../../shared/client/service-client';

export type ReauthResult = 'ok' | 'wrong-credentials' | 'wrong-user' | 'unreachable';

/**
 * The session's bearer token, and how to get a fresh one for the same user. After an offline
 * unlock there is no token yet: the password typed at the unlock is held in memory only until
 * the service has issued one (or refused it), so the queued changes go out under a fresh token
 * as soon as the service can be reached, without asking again.
 */
export class SessionAuth {
  private readonly serviceClient: ServiceClient;
  private pendingPassword: string | null;
  private refreshing: Promise<boolean> | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly opts: {
      readonly serviceUrl: string;
      readonly fetch: FetchLike;
      readonly userId: string;
      readonly username: string;
      readonly token: string | null;
      /** Held only until a token is confirmed; null when signed in online. */
      readonly password: string | null;
      readonly saveToken: (token: string) => Promise<void>;
    },
  ) {
    this.serviceClient = new ServiceClient(opts.serviceUrl, opts.fetch, opts.token);
    this.pendingPassword = opts.password;
  }

  /** The client, or null while there is no token to send. */
  client(): ServiceClient | null {
    return this.serviceClient.currentToken() ? this.serviceClient : null;
  }

  /** The same client even without a token (health checks, sign-in). */
  anonymousClient(): ServiceClient {
    return this.serviceClient;
  }

  get username(): string {
    return this.opts.username;
  }

  /** An authenticated call succeeded: the unlock password is no longer needed. */
  confirmed(): void {
    this.pendingPassword = null;
  }

  /**
   * The token was refused; try the held password once, if there is one. `refused` is the token
   * the refused request carried: if a fresh one has arrived since (the clinician signed in
   * while that request was on its way), it is kept and used. Concurrent calls (the pull and
   * the push refused together) share one sign-in.
   */
  refresh(refused: string | null = this.serviceClient.currentToken()): Promise<boolean> {
    const current = this.serviceClient.currentToken();
    if (current && current !== refused) return Promise.resolve(true);
    this.refreshing ??= this.signInWithHeldPassword().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async signInWithHeldPassword(): Promise<boolean> {
    this.serviceClient.setToken(null);
    const password = this.pendingPassword;
    if (!password) return false;
    const result = await this.signIn(password);
    if (result !== 'unreachable') this.pendingPassword = null;
    return result === 'ok';
  }

  /** Signs the same user in again (the clinician typed their password after a 401). */
  async signIn(password: string): Promise<ReauthResult> {
    const fresh = new ServiceClient(this.opts.serviceUrl, this.opts.fetch);
    try {
      const session = await fresh.signIn({ username: this.opts.username, password });
      if (session.user.id !== this.opts.userId) {
        await fresh.signOut().catch(() => undefined);
        return 'wrong-user';
      }
      this.serviceClient.setToken(session.token);
      await this.opts.saveToken(session.token).catch(() => undefined);
      for (const l of [...this.listeners]) l();
      return 'ok';
    } catch (error) {
      if (error instanceof ServiceError && (error.status === 401 || error.status === 400)) return 'wrong-credentials';
      return 'unreachable';
    }
  }

  /** Told when a fresh token arrives. */
  onToken(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
