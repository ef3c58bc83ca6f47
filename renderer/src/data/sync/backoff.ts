/**
 * Exponential backoff with "full jitter": a random wait up to base·2^attempt, capped. Many
 * workstations coming back after an outage then spread their retries instead of arriving
 * together. A floor keeps a broken link from being hammered.
 */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
  readonly floorMs: number;
}

export const PULL_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 60_000, floorMs: 250 };
export const PUSH_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 30_000, floorMs: 100 };

export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.max(policy.floorMs, Math.floor(random() * ceiling));
}
