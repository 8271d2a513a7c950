import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ranking models and score context (SPEC section 2c).
 *
 * - `boards.ranking`: `best`, `latest`, `sum` or `count`; `global` is always `best`.
 * - `scores.metadata`: the client's small JSON object kept with a score.
 * - A standing keeps what every model needs, from which its ranked value follows: the best
 *   (`high_score`, the time it was first reached, now `best_at`, and the score that set it) and
 *   the latest by acceptance time (`latest_value`, `latest_at`, `latest_score_id`), besides the
 *   count and the exact sum it had. It carries its board's `ranking` and `descending` (set when the
 *   standing is created: neither can change once the board has a score), so that `rank_score` (the
 *   ranked value made comparable, lower is better, bigint for sums) and `achieved_at` (when the
 *   standing first reached it: the best's time, or the latest counted score's acceptance time for
 *   `latest`, `sum` and `count`) are generated columns, one formula for every writer (the apply
 *   statement, removals and bans, reconcile).
 *
 * Existing boards migrate as `best`: their standings' rank_score and achieved_at are unchanged.
 */
export class RankingModels1795530000000 implements MigrationInterface {
  name = 'RankingModels1795530000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE boards
        ADD COLUMN ranking varchar(6) NOT NULL DEFAULT 'best'
          CHECK (ranking IN ('best', 'latest', 'sum', 'count')),
        ADD CONSTRAINT boards_global_ranks_by_best CHECK (id <> 'global' OR ranking = 'best')`);
    await db.query(`ALTER TABLE scores ADD COLUMN metadata jsonb`);

    await db.query(`DROP VIEW user_high_scores`);
    await db.query(`DROP INDEX user_stats_ranking_idx`);
    await db.query(`ALTER TABLE user_stats RENAME COLUMN achieved_at TO best_at`);
    await db.query(`
      ALTER TABLE user_stats
        DROP COLUMN rank_score,
        ADD COLUMN ranking varchar(6) NOT NULL DEFAULT 'best',
        ADD COLUMN descending boolean NOT NULL DEFAULT true,
        ADD COLUMN best_score_id bigint,
        ADD COLUMN latest_value integer,
        ADD COLUMN latest_at timestamptz,
        ADD COLUMN latest_score_id bigint`);
    await db.query(`
      UPDATE user_stats st SET descending = (b.sort = 'desc') FROM boards b WHERE b.id = st.board_id`);
    // The best's score: the first accepted counted score of that value.
    await db.query(`
      UPDATE user_stats st SET best_score_id = f.id
        FROM (SELECT DISTINCT ON (s.period_id, s.user_id) s.period_id, s.user_id, s.id
                FROM scores s JOIN user_stats u USING (period_id, user_id)
               WHERE s.applied_at IS NOT NULL AND s.removed_at IS NULL AND s.value = u.high_score
               ORDER BY s.period_id, s.user_id, s.created_at, s.id) f
       WHERE st.period_id = f.period_id AND st.user_id = f.user_id`);
    await db.query(`
      UPDATE user_stats st
         SET latest_value = f.value, latest_at = f.created_at, latest_score_id = f.id
        FROM (SELECT DISTINCT ON (period_id, user_id) period_id, user_id, id, value, created_at
                FROM scores WHERE applied_at IS NOT NULL AND removed_at IS NULL
               ORDER BY period_id, user_id, created_at DESC, id DESC) f
       WHERE st.period_id = f.period_id AND st.user_id = f.user_id`);
    await db.query(`
      ALTER TABLE user_stats
        ALTER COLUMN ranking DROP DEFAULT,
        ALTER COLUMN descending DROP DEFAULT,
        ADD COLUMN rank_score bigint GENERATED ALWAYS AS (
          CASE WHEN total_scores = 0 THEN 9223372036854775807
               ELSE CASE ranking WHEN 'latest' THEN latest_value::bigint
                                 WHEN 'sum' THEN sum_scores
                                 WHEN 'count' THEN total_scores::bigint
                                 ELSE high_score::bigint END
                    * CASE WHEN descending THEN -1 ELSE 1 END
          END) STORED,
        ADD COLUMN achieved_at timestamptz GENERATED ALWAYS AS (
          CASE ranking WHEN 'best' THEN best_at ELSE coalesce(latest_at, best_at) END) STORED`);
    await db.query(`
      CREATE INDEX user_stats_ranking_idx
        ON user_stats (period_id, rank_score, achieved_at, user_id) WHERE ranked`);
    await createHighScoresView(db);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP VIEW user_high_scores`);
    await db.query(`DROP INDEX user_stats_ranking_idx`);
    await db.query(`
      ALTER TABLE user_stats
        DROP COLUMN rank_score, DROP COLUMN achieved_at,
        DROP COLUMN ranking, DROP COLUMN best_score_id,
        DROP COLUMN latest_value, DROP COLUMN latest_at, DROP COLUMN latest_score_id`);
    await db.query(`ALTER TABLE user_stats RENAME COLUMN best_at TO achieved_at`);
    await db.query(`ALTER TABLE user_stats ADD COLUMN rank_score integer`);
    await db.query(`
      UPDATE user_stats SET rank_score = CASE WHEN total_scores = 0 THEN 2147483647
                                              WHEN descending THEN -high_score
                                              ELSE high_score END`);
    await db.query(`
      ALTER TABLE user_stats DROP COLUMN descending, ALTER COLUMN rank_score SET NOT NULL`);
    await db.query(`
      CREATE INDEX user_stats_ranking_idx
        ON user_stats (period_id, rank_score, achieved_at, user_id) WHERE ranked`);
    await createHighScoresView(db);
    await db.query(`ALTER TABLE scores DROP COLUMN metadata`);
    await db.query(`
      ALTER TABLE boards DROP CONSTRAINT boards_global_ranks_by_best, DROP COLUMN ranking`);
  }
}

/** The global board's standings under their first name, for anyone reading them. */
async function createHighScoresView(db: QueryRunner): Promise<void> {
  await db.query(`
    CREATE VIEW user_high_scores AS
      SELECT user_id, high_score, achieved_at, high_score_updated_at AS updated_at
        FROM user_stats
       WHERE period_id = (SELECT id FROM board_periods WHERE board_id = 'global')`);
}
