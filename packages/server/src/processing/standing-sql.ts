/**
 * The SQL every writer of standings shares (the apply statement, removals and bans, reconcile),
 * so that a standing means the same whoever wrote it. A standing keeps the count, the exact sum,
 * the best (by the board's sort; ties: the first accepted) and the latest (by acceptance time,
 * ties by id), each with the score that set it; its ranked value and the time it reached it are
 * generated from those by its board's `ranking` (migration 1795530000000-ranking-models).
 */

/**
 * Aggregates over counted scores (columns `id`, `value`, `created_at`, and `best_rank`: the value
 * made comparable, lower is better): what a standing holds, as `total`, `total_sum`, `best`,
 * `best_at`, `best_id`, `latest`, `latest_at`, `latest_id`. Order-free: the same scores give the
 * same standing whatever order they were applied in.
 */
export const STANDING_AGGREGATES = `
  count(*) AS total, coalesce(sum(value), 0) AS total_sum,
  (array_agg(value ORDER BY best_rank, created_at, id))[1] AS best,
  (array_agg(created_at ORDER BY best_rank, created_at, id))[1] AS best_at,
  (array_agg(id ORDER BY best_rank, created_at, id))[1] AS best_id,
  (array_agg(value ORDER BY created_at DESC, id DESC))[1] AS latest,
  max(created_at) AS latest_at,
  (array_agg(id ORDER BY created_at DESC, id DESC))[1] AS latest_id`;

/** A standing's best, comparable (lower is better), of the row `row`. */
const bestRank = (row: string) => `CASE WHEN st.descending THEN -${row}.high_score
                                       ELSE ${row}.high_score END`;

/** The batch's best is better than the standing's (or the standing has no counted score). */
const NEW_BEST = `(st.total_scores = 0 OR
  (${bestRank('excluded')}, excluded.best_at, excluded.best_score_id)
    < (${bestRank('st')}, st.best_at, st.best_score_id))`;

/** The batch's latest was accepted after the standing's. */
const NEW_LATEST = `(st.total_scores = 0 OR st.latest_at IS NULL OR
  (excluded.latest_at, excluded.latest_score_id) > (st.latest_at, st.latest_score_id))`;

/**
 * The SET clauses (each ending with a comma) of an `INSERT INTO user_stats AS st ... ON CONFLICT
 * DO UPDATE` that merge a batch's standing (`excluded`) into the stored one: the better best, the
 * later latest. The count and sum are the caller's (added). Commutative, so batches may apply in
 * any order: a score applied late never replaces a latest accepted after it.
 */
export const MERGE_STANDING = `
      high_score = CASE WHEN ${NEW_BEST} THEN excluded.high_score ELSE st.high_score END,
      best_at = CASE WHEN ${NEW_BEST} THEN excluded.best_at ELSE st.best_at END,
      best_score_id = CASE WHEN ${NEW_BEST} THEN excluded.best_score_id ELSE st.best_score_id END,
      high_score_updated_at = CASE
        WHEN st.total_scores = 0 OR ${bestRank('excluded')} <= ${bestRank('st')}
        THEN excluded.high_score_updated_at ELSE st.high_score_updated_at END,
      latest_value = CASE WHEN ${NEW_LATEST} THEN excluded.latest_value ELSE st.latest_value END,
      latest_at = CASE WHEN ${NEW_LATEST} THEN excluded.latest_at ELSE st.latest_at END,
      latest_score_id = CASE WHEN ${NEW_LATEST} THEN excluded.latest_score_id
                             ELSE st.latest_score_id END,`;

/**
 * The SET clauses (each ending with a comma) that write a standing's aggregates from a row `t` of
 * STANDING_AGGREGATES (a recomputation): with no counted score left, the best's value and time
 * stay as they were (the row is unranked, and the next score replaces them).
 */
export const SET_FROM_AGGREGATES = `
      total_scores = t.total, sum_scores = t.total_sum,
      high_score = coalesce(t.best, st.high_score), best_at = coalesce(t.best_at, st.best_at),
      best_score_id = t.best_id,
      latest_value = t.latest, latest_at = t.latest_at, latest_score_id = t.latest_id,`;

/** `value` made comparable by the sort of the board joined as `b`: lower is better. */
export const BEST_RANK_OF_VALUE = `CASE b.sort WHEN 'asc' THEN s.value ELSE -s.value END`;

/**
 * The ranked value (the best, the latest, the sum or the count) of the standing `alias`, from its
 * comparable rank score: negated back on a `desc` board.
 */
export const rankedValueOf = (alias: string) =>
  `CASE WHEN ${alias}.descending THEN -${alias}.rank_score ELSE ${alias}.rank_score END`;
