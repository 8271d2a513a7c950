import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One aggregate row per user: user_stats gains the high score, the time it was first reached and
 * when it last changed, so applying a batch updates one row per user in one table, in user-id
 * order. (With two tables, the apply statement's row locks interleaved between them in an order
 * that depended on the plan, and concurrent batches deadlocked.) `user_high_scores` stays as a
 * view with its old columns, for anyone reading it.
 *
 * `leaderboard_changes` is the outbox of standings not yet known to be in the Redis leaderboard:
 * a row is written in the same transaction as the standing, and deleted once the standing is
 * recorded. Rows left behind (a worker died, Redis was away) are recorded by the maintainer.
 */
export class OneAggregateRow1795500000000 implements MigrationInterface {
  name = 'OneAggregateRow1795500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE user_stats
        ADD COLUMN high_score            integer,
        ADD COLUMN achieved_at           timestamptz,
        ADD COLUMN high_score_updated_at timestamptz`);
    await db.query(`
      UPDATE user_stats s
         SET high_score = h.high_score, achieved_at = h.achieved_at,
             high_score_updated_at = h.updated_at
        FROM user_high_scores h WHERE h.user_id = s.user_id`);
    // Both rows were always written by one statement; rows of only one kind carry no score.
    await db.query(`DELETE FROM user_stats WHERE high_score IS NULL AND total_scores = 0`);
    await db.query(`
      ALTER TABLE user_stats
        ALTER COLUMN high_score SET NOT NULL,
        ALTER COLUMN achieved_at SET NOT NULL,
        ALTER COLUMN high_score_updated_at SET NOT NULL`);
    await db.query(`DROP TABLE user_high_scores`);
    await db.query(`
      CREATE INDEX user_stats_ranking_key_idx
        ON user_stats ((-high_score), achieved_at, user_id)`);
    await db.query(`
      CREATE VIEW user_high_scores AS
        SELECT user_id, high_score, achieved_at, high_score_updated_at AS updated_at
          FROM user_stats`);

    await db.query(`
      CREATE TABLE leaderboard_changes (
        id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id    bigint NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE leaderboard_changes`);
    await db.query(`DROP VIEW user_high_scores`);
    await db.query(`
      CREATE TABLE user_high_scores (
        user_id     bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        high_score  integer NOT NULL,
        achieved_at timestamptz NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      INSERT INTO user_high_scores (user_id, high_score, achieved_at, updated_at)
      SELECT user_id, high_score, achieved_at, high_score_updated_at FROM user_stats`);
    await db.query(`
      CREATE INDEX user_high_scores_ranking_key_idx
        ON user_high_scores ((-high_score), achieved_at, user_id)`);
    await db.query(`DROP INDEX user_stats_ranking_key_idx`);
    await db.query(`
      ALTER TABLE user_stats
        DROP COLUMN high_score_updated_at, DROP COLUMN achieved_at, DROP COLUMN high_score`);
  }
}
