import { ServiceError } from '../../../../shared/client/service-client';

/**
 * What a failed call means for the sync loops: `auth` asks for a fresh token; `invalid` means
 * the request itself was refused (retrying the same bytes cannot help); everything else is a
 * link or service problem to retry later.
 */
export type FailureKind = 'auth' | 'invalid' | 'unreachable';

export function classifyFailure(error: unknown): FailureKind {
  if (error instanceof ServiceError) {
    if (error.status === 401) return 'auth';
    if (error.status === 400 || error.status === 413 || error.status === 415 || error.status === 422) return 'invalid';
    return 'unreachable'; // 5xx, 429, 403 from a proxy…: try again later
  }
  return 'unreachable'; // fetch rejected: no route, refused, reset, offline
}
