/**
 * How score events are split over EVENT_SHARDS streams. A score goes to its user's shard (a hash
 * of the user id), so that one user's events stay in one stream, in the order they were sent.
 */

/** The shard of a user's events: FNV-1a (32 bits) of the user id, modulo the shard count. */
export function eventShard(userId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/**
 * The name (before the key prefix) of a shard's stream. One shard keeps the name the single
 * stream always had, so that a deployment upgraded without setting EVENT_SHARDS keeps its stream
 * and consumer group. Several shards each carry a hash tag of their own, so that on a Redis
 * Cluster they spread over the masters.
 */
export function eventStreamName(shard: number, shards: number): string {
  return shards === 1 ? 'score-events' : `{score-events:${shard}}`;
}
