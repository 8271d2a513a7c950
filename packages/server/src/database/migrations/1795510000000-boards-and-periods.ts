import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Boards and their periods (SPEC section 2a), roles and the audit log (2b).
 *
 * - `boards`: one competition each. `global` is created here; its range is NULL, meaning the
 *   configured SCORE_MIN..SCORE_MAX. Its creation time is that of the oldest score, so that all of
 *   today's data lies in its one period.
 * - `board_periods`: a board's time cut at its resets, materialized as they are reached and never
 *   changed afterwards (a change of schedule applies from the next period on).
 * - `scores` name their board and period, fixed at acceptance from the database's clock.
 * - `user_stats` becomes the standings: one row per (period, user) with the best by the board's
 *   sort. `rank_score` orders it whatever the sort: -value on a `desc` board, value on an `asc`
 *   one, so lower is better on both and one index serves every board.
 * - `leaderboard_counts` and `leaderboard_changes` gain the period.
 */
export class BoardsAndPeriods1795510000000 implements MigrationInterface {
  name = 'BoardsAndPeriods1795510000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE users
        ADD COLUMN role varchar(8) NOT NULL DEFAULT 'player' CHECK (role IN ('player', 'admin'))`);
    await db.query(`
      CREATE TABLE audit_log (
        id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at        timestamptz NOT NULL DEFAULT now(),
        actor_id  bigint,
        action    text NOT NULL,
        target    text NOT NULL,
        reason    text
      )`);

    await db.query(`
      CREATE TABLE boards (
        id            varchar(64) PRIMARY KEY CHECK (id ~ '^[a-z0-9-]{1,64}$'),
        name          varchar(64) NOT NULL,
        sort          varchar(4) NOT NULL DEFAULT 'desc' CHECK (sort IN ('asc', 'desc')),
        score_min     integer,
        score_max     integer,
        reset         text NOT NULL DEFAULT 'never',
        timezone      text NOT NULL DEFAULT 'UTC',
        authoritative boolean NOT NULL DEFAULT false,
        max_submissions_per_minute integer NOT NULL DEFAULT 0
          CHECK (max_submissions_per_minute >= 0),
        archived      boolean NOT NULL DEFAULT false,
        created_at    timestamptz NOT NULL DEFAULT now(),
        CHECK ((score_min IS NULL) = (score_max IS NULL) AND score_min <= score_max)
      )`);
    await db.query(`
      CREATE TABLE board_periods (
        id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        board_id  varchar(64) NOT NULL REFERENCES boards (id),
        starts_at timestamptz NOT NULL,
        ends_at   timestamptz,
        CHECK (ends_at > starts_at),
        UNIQUE (board_id, starts_at)
      )`);
    await db.query(`
      INSERT INTO boards (id, name, created_at)
      VALUES ('global', 'Global', least(now(), (SELECT min(created_at) FROM scores)))`);
    await db.query(`
      INSERT INTO board_periods (board_id, starts_at)
      SELECT id, created_at FROM boards WHERE id = 'global'`);

    await db.query(`
      ALTER TABLE scores
        ADD COLUMN board_id  varchar(64) NOT NULL DEFAULT 'global' REFERENCES boards (id),
        ADD COLUMN period_id bigint REFERENCES board_periods (id)`);
    await db.query(`ALTER TABLE scores ALTER COLUMN board_id DROP DEFAULT`);
    await db.query(`
      UPDATE scores SET period_id = (SELECT id FROM board_periods WHERE board_id = 'global')`);
    await db.query(`ALTER TABLE scores ALTER COLUMN period_id SET NOT NULL`);
    // "Is a period final": none of its scores pending.
    await db.query(`
      CREATE INDEX scores_pending_period_idx ON scores (period_id)
        WHERE applied_at IS NULL AND dead_at IS NULL`);

    await db.query(`DROP VIEW user_high_scores`);
    await db.query(`
      ALTER TABLE user_stats
        ADD COLUMN period_id  bigint REFERENCES board_periods (id),
        ADD COLUMN board_id   varchar(64) REFERENCES boards (id),
        ADD COLUMN rank_score integer`);
    await db.query(`
      UPDATE user_stats
         SET period_id = (SELECT id FROM board_periods WHERE board_id = 'global'),
             board_id = 'global', rank_score = -high_score`);
    await db.query(`
      ALTER TABLE user_stats
        ALTER COLUMN period_id SET NOT NULL,
        ALTER COLUMN board_id SET NOT NULL,
        ALTER COLUMN rank_score SET NOT NULL,
        DROP CONSTRAINT user_stats_pkey,
        ADD PRIMARY KEY (period_id, user_id)`);
    await db.query(`DROP INDEX user_stats_ranking_key_idx`);
    await db.query(`
      CREATE INDEX user_stats_ranking_idx
        ON user_stats (period_id, rank_score, achieved_at, user_id)`);
    // The global board's standings under the old name, for anyone reading them.
    await db.query(`
      CREATE VIEW user_high_scores AS
        SELECT user_id, high_score, achieved_at, high_score_updated_at AS updated_at
          FROM user_stats
         WHERE period_id = (SELECT id FROM board_periods WHERE board_id = 'global')`);

    await db.query(`ALTER TABLE leaderboard_counts ADD COLUMN period_id bigint`);
    await db.query(`
      UPDATE leaderboard_counts
         SET period_id = (SELECT id FROM board_periods WHERE board_id = 'global')`);
    await db.query(`
      ALTER TABLE leaderboard_counts
        ALTER COLUMN period_id SET NOT NULL,
        DROP CONSTRAINT leaderboard_counts_pkey,
        ADD PRIMARY KEY (period_id, stripe)`);

    await db.query(`ALTER TABLE leaderboard_changes ADD COLUMN period_id bigint`);
    await db.query(`
      UPDATE leaderboard_changes
         SET period_id = (SELECT id FROM board_periods WHERE board_id = 'global')`);
    await db.query(`ALTER TABLE leaderboard_changes ALTER COLUMN period_id SET NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    const globalPeriod = `(SELECT id FROM board_periods WHERE board_id = 'global')`;
    await db.query(`DELETE FROM leaderboard_changes WHERE period_id <> ${globalPeriod}`);
    await db.query(`ALTER TABLE leaderboard_changes DROP COLUMN period_id`);
    await db.query(`DELETE FROM leaderboard_counts WHERE period_id <> ${globalPeriod}`);
    await db.query(`
      ALTER TABLE leaderboard_counts DROP CONSTRAINT leaderboard_counts_pkey,
        ADD PRIMARY KEY (stripe), DROP COLUMN period_id`);
    await db.query(`DROP VIEW user_high_scores`);
    await db.query(`DELETE FROM user_stats WHERE period_id <> ${globalPeriod}`);
    await db.query(`DROP INDEX user_stats_ranking_idx`);
    await db.query(`
      ALTER TABLE user_stats DROP CONSTRAINT user_stats_pkey, ADD PRIMARY KEY (user_id),
        DROP COLUMN rank_score, DROP COLUMN board_id, DROP COLUMN period_id`);
    await db.query(`
      CREATE INDEX user_stats_ranking_key_idx ON user_stats ((-high_score), achieved_at, user_id)`);
    await db.query(`
      CREATE VIEW user_high_scores AS
        SELECT user_id, high_score, achieved_at, high_score_updated_at AS updated_at
          FROM user_stats`);
    await db.query(`DELETE FROM scores WHERE board_id <> 'global'`);
    await db.query(`DROP INDEX scores_pending_period_idx`);
    await db.query(`ALTER TABLE scores DROP COLUMN period_id, DROP COLUMN board_id`);
    await db.query(`DROP TABLE board_periods`);
    await db.query(`DROP TABLE boards`);
    await db.query(`DROP TABLE audit_log`);
    await db.query(`ALTER TABLE users DROP COLUMN role`);
  }
}
