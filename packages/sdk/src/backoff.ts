export type BackoffOptions = {
  /** The ceiling of the first retry's delay. Default 500 ms. */
  baseMs?: number;
  /** No delay exceeds this (nor a server's Retry-After, beyond it). Default 30 s. */
  maxMs?: number;
};

/**
 * The delay before retry number `attempt` (1 for the first): "full jitter", a random time up to an
 * exponentially growing ceiling (base × 2^(attempt−1), capped), so that clients that failed
 * together do not come back together; never shorter than the server's Retry-After.
 */
export function backoffDelay(
  attempt: number,
  { baseMs = 500, maxMs = 30_000 }: BackoffOptions = {},
  random: () => number = Math.random,
  retryAfterMs?: number,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
  const jittered = Math.floor(random() * ceiling);
  return retryAfterMs === undefined ? jittered : Math.max(jittered, Math.min(retryAfterMs, maxMs));
}
