/** An error with the contract's error body: `{"error":{"code","message",...details}}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (code: string, message: string, details?: Record<string, unknown>) => new HttpError(400, code, message, details);
export const unauthorized = (message = 'Sign in again: the token is missing, invalid or expired') => new HttpError(401, 'unauthorized', message);
export const forbidden = (message = 'Your role may not do this') => new HttpError(403, 'forbidden', message);
export const notFound = (what = 'Resource') => new HttpError(404, 'not_found', `${what} not found`);
