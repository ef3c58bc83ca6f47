import { ServiceError } from '../../../shared/client/service-client';

/** A calm, plain sentence for anything that went wrong talking to the service. */
export function describeError(error: unknown): string {
  if (error instanceof ServiceError) {
    if (error.status === 401) return 'Your session has ended. Please sign in again.';
    if (error.status === 403) return 'Your role does not allow this.';
    if (error.status === 404) return 'The referral service could not find this item.';
    if (error.status === 429) return 'Too many requests just now. Wait a moment and try again.';
    if (error.status >= 500) return 'The referral service had a problem. Please try again shortly.';
    return error.message || `The referral service refused the request (${error.status}).`;
  }
  if (error instanceof TypeError) return 'Cannot reach the referral service. Check the connection; Loupe keeps trying.';
  if (error instanceof Error && error.name === 'ZodError')
    return 'The referral service sent data this version of Loupe does not understand.';
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong. Please try again.';
}

export function isUnauthorized(error: unknown): boolean {
  return error instanceof ServiceError && error.status === 401;
}
