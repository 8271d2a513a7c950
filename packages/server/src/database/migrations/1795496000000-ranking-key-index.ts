import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The leaderboard order as one ascending key, (-high_score, achieved_at, user_id), so that "rows
 * ahead of this player" and "the next rows after this player" are row comparisons that an index
 * range scan answers, instead of OR conditions and OFFSET scans.
 */
export class RankingKeyIndex1795496000000 implements MigrationInterface {
  name = 'RankingKeyIndex1795496000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX user_high_scores_ranking_idx`);
    await db.query(`
      CREATE INDEX user_high_scores_ranking_key_idx
        ON user_high_scores ((-high_score), achieved_at, user_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX user_high_scores_ranking_key_idx`);
    await db.query(`
      CREATE INDEX user_high_scores_ranking_idx
        ON user_high_scores (high_score DESC, achieved_at ASC, user_id ASC)`);
  }
}
