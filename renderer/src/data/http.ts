import { ServiceClient, type FetchLike } from '../../../shared/client/service-client';

/** The page's own fetch, in the shape the shared client expects. */
export const browserFetch: FetchLike = (url, init) => fetch(url, { ...init, cache: 'no-store' });

export function createClient(serviceUrl: string, token: string | null = null): ServiceClient {
  return new ServiceClient(serviceUrl.replace(/\/+$/, ''), browserFetch, token);
}

/**
 * GET with the session's bearer token, for binary resources (thumbnails, tiles) that an
 * `<img src>` cannot fetch because it cannot send the header.
 */
export async function fetchAuthorizedBlob(
  client: ServiceClient,
  url: string,
  signal?: AbortSignal,
): Promise<{ status: number; blob: Blob | null }> {
  const res = await fetch(url, { headers: client.authHeader, signal });
  if (!res.ok) return { status: res.status, blob: null };
  return { status: res.status, blob: await res.blob() };
}
