/** How long to wait before attempt `attempt + 1`, after `attempt` failures (1-based). */
export type RetryPolicy = { baseMs: number; maxMs: number; maxAttempts: number };

/**
 * Exponential backoff with "equal jitter": half of the doubled delay is fixed, the other half
 * random, so retries of many things that failed together spread out instead of returning at once.
 */
export function backoffMs(
  policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>,
  attempt: number,
  random: () => number = Math.random,
): number {
  const doublings = Math.min(Math.max(0, attempt - 1), 30);
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** doublings);
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

export function isLastAttempt(policy: RetryPolicy, attempt: number): boolean {
  return attempt >= policy.maxAttempts;
}
