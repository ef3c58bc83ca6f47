import type { z } from 'zod';
import {
  API_BASE,
  AuditList,
  AuditVerification,
  ChangesPage,
  ErrorBody,
  Health,
  Metrics,
  MetricsQuery,
  MutationResults,
  ReferralDetail,
  SessionResponse,
  type Mutation,
  type SignInRequest,
} from '../contract';
import { parseDzi, type DziDescriptor } from '../dzi';

/**
 * The slice of `fetch` the client needs. Declared here so `shared/` depends on neither the DOM
 * nor Node typings; the global fetch of every runtime we target satisfies it.
 */
export interface FetchResponse {
  readonly status: number;
  readonly ok: boolean;
  json(): Promise<unknown>;
  text(): Promise<string>;
}
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<FetchResponse>;

/** A failed call: the HTTP status and the service's error code and message. */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export class ServiceClient {
  constructor(
    private readonly baseUrl: string,
    private readonly fetchFn: FetchLike,
    private token: string | null = null,
  ) {}

  setToken(token: string | null): void {
    this.token = token;
  }

  currentToken(): string | null {
    return this.token;
  }

  get authHeader(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  url(path: string): string {
    return `${this.baseUrl}${API_BASE}${path}`;
  }

  private async call<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<z.infer<S>> {
    const headers: Record<string, string> = { ...this.authHeader };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.fetchFn(this.url(path), {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw await toServiceError(res);
    if (res.status === 204) return schema.parse(undefined);
    return schema.parse(await res.json());
  }

  health(): Promise<Health> {
    return this.call('GET', '/health', Health);
  }

  async signIn(req: SignInRequest): Promise<SessionResponse> {
    const session = await this.call('POST', '/sessions', SessionResponse, req);
    this.token = session.token;
    return session;
  }

  async signOut(): Promise<void> {
    const res = await this.fetchFn(this.url('/sessions/current'), { method: 'DELETE', headers: this.authHeader });
    this.token = null;
    if (!res.ok && res.status !== 401) throw await toServiceError(res);
  }

  changes(after?: string, limit?: number): Promise<ChangesPage> {
    const q: string[] = [];
    if (after) q.push(`after=${encodeURIComponent(after)}`);
    if (limit) q.push(`limit=${limit}`);
    return this.call('GET', `/changes${q.length ? `?${q.join('&')}` : ''}`, ChangesPage);
  }

  mutate(mutations: Mutation[]): Promise<MutationResults> {
    return this.call('POST', '/mutations', MutationResults, { mutations });
  }

  referral(id: string): Promise<ReferralDetail> {
    return this.call('GET', `/referrals/${encodeURIComponent(id)}`, ReferralDetail);
  }

  audit(entityId: string): Promise<AuditList> {
    return this.call('GET', `/audit?entityId=${encodeURIComponent(entityId)}`, AuditList);
  }

  /**
   * The service's figures for a period (consultant, admin). The query is checked before it is
   * sent, so a reversed or over-long period fails here with the contract's message.
   */
  async metrics(query: MetricsQuery): Promise<Metrics> {
    const q = MetricsQuery.parse(query);
    return this.call('GET', `/metrics?from=${encodeURIComponent(q.from)}&to=${encodeURIComponent(q.to)}`, Metrics);
  }

  verifyAudit(): Promise<AuditVerification> {
    return this.call('GET', '/audit/verify', AuditVerification);
  }

  async imageDescriptor(imageId: string): Promise<DziDescriptor> {
    const res = await this.fetchFn(this.url(`/images/${encodeURIComponent(imageId)}/image.dzi`), {
      method: 'GET',
      headers: this.authHeader,
    });
    if (!res.ok) throw await toServiceError(res);
    return parseDzi(await res.text());
  }

  tileUrl(imageId: string, level: number, col: number, row: number, ext: string): string {
    return this.url(`/images/${encodeURIComponent(imageId)}/image_files/${level}/${col}_${row}.${ext}`);
  }

  thumbnailUrl(imageId: string): string {
    return this.url(`/images/${encodeURIComponent(imageId)}/thumbnail.jpg`);
  }
}

async function toServiceError(res: FetchResponse): Promise<ServiceError> {
  const text = await res.text().catch(() => '');
  let parsed: ReturnType<typeof ErrorBody.safeParse> | undefined;
  try {
    parsed = ErrorBody.safeParse(JSON.parse(text));
  } catch {
    parsed = undefined;
  }
  if (parsed?.success) return new ServiceError(res.status, parsed.data.error.code, parsed.data.error.message);
  return new ServiceError(res.status, 'http_error', `HTTP ${res.status}`);
}
