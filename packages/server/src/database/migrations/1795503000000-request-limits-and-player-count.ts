import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `signup_attempts`: per client address, the times of its signups within the last hour (the
 * sliding window of SIGNUP_MAX_PER_HOUR).
 *
 * `leaderboard_counts`: the number of ranked players, maintained by the apply statement, so that
 * a leaderboard page does not count them. Split over 16 rows (a batch adds to the row of its
 * connection) so that concurrent batches with new players rarely wait on the same row; the count
 * is their sum.
 */
export class RequestLimitsAndPlayerCount1795503000000 implements MigrationInterface {
  name = 'RequestLimitsAndPlayerCount1795503000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE signup_attempts (
        address  varchar(64) PRIMARY KEY,
        attempts timestamptz[] NOT NULL
      )`);
    await db.query(`
      CREATE TABLE leaderboard_counts (
        stripe  smallint PRIMARY KEY CHECK (stripe BETWEEN 0 AND 15),
        players bigint NOT NULL
      )`);
    await db.query(`
      INSERT INTO leaderboard_counts (stripe, players)
      SELECT stripe, CASE WHEN stripe = 0 THEN (SELECT count(*) FROM user_stats) ELSE 0 END
        FROM generate_series(0, 15) AS stripe`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE leaderboard_counts`);
    await db.query(`DROP TABLE signup_attempts`);
  }
}
