export type ClaimedScore = { id: string; userId: string; value: number; createdAt: Date };

/** What one batch adds to one user's aggregates. */
export type UserDelta = {
  userId: string;
  count: number;
  sum: number;
  max: number;
  /** When `max` was first reached: the earliest accept time among this batch's scores equal to it. */
  maxReachedAt: Date;
};

/** Folds a batch of scores into one delta per user, ordered by user id (the lock order). */
export function summarise(scores: ClaimedScore[]): UserDelta[] {
  const byUser = new Map<string, UserDelta>();
  for (const score of scores) {
    const delta = byUser.get(score.userId);
    if (!delta) {
      byUser.set(score.userId, {
        userId: score.userId,
        count: 1,
        sum: score.value,
        max: score.value,
        maxReachedAt: score.createdAt,
      });
      continue;
    }
    delta.count += 1;
    delta.sum += score.value;
    if (score.value > delta.max) {
      delta.max = score.value;
      delta.maxReachedAt = score.createdAt;
    } else if (score.value === delta.max && score.createdAt < delta.maxReachedAt) {
      delta.maxReachedAt = score.createdAt;
    }
  }
  return [...byUser.values()].sort((a, b) => compareIds(a.userId, b.userId));
}

/** Orders bigint ids given as strings numerically, as PostgreSQL does. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
