import type { MigrationInterface, QueryRunner } from 'typeorm';

const PENDING = 'applied_at IS NULL AND dead_at IS NULL';

/**
 * Trusted submissions, moderation and privacy (SPEC section 2b).
 *
 * - `users.banned_at`: a suspended account. Its standings stay, unranked (`user_stats.ranked`),
 *   and are ranked again on unban; nothing is deleted.
 * - `scores.removed_at`: a score removed by an admin, kept with its reason; it no longer counts
 *   (nor is it pending: the partial indexes of pending scores exclude it).
 * - `user_stats.version`: raised by every change of a standing, so that writes of standings to the
 *   Redis leaderboards can arrive in any order (the newest version wins) now that a standing can
 *   get worse (a removal) or leave the ranking (a ban). `suspended`: the player's suspension, kept
 *   on each of their standings by bans and unbans (so that an apply that updates a standing need
 *   not read the player). `ranked`: whether the standing is on the
 *   leaderboard (it has a counted score and its player is not suspended); the ranking index and
 *   the maintained player counts cover ranked standings only. A standing whose scores were all
 *   removed stays as a row with no score (count 0, rank_score at its sentinel, see below), so its
 *   version survives.
 * - `api_keys`: keys of trusted game servers, stored as SHA-256 hashes (a key is 256 random bits,
 *   so a fast hash is enough), with scopes, an optional list of boards, last use and revocation.
 *   `scores.api_key_id` records which key submitted a score (no foreign key: every submission
 *   would share-lock the key's row).
 * - `submission_windows`: per player and board, the times of their accepted submissions within
 *   the last minute (the sliding window of a board's max_submissions_per_minute).
 * - `audit_log` becomes append-only: a trigger refuses UPDATE, DELETE and TRUNCATE.
 */
export class Moderation1795520000000 implements MigrationInterface {
  name = 'Moderation1795520000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE users ADD COLUMN banned_at timestamptz, ADD COLUMN ban_reason text`,
    );
    // Admin search: a case-insensitive prefix of the email or the display name.
    await db.query(`CREATE INDEX users_email_prefix_idx ON users (lower(email) text_pattern_ops)`);
    await db.query(
      `CREATE INDEX users_display_name_prefix_idx ON users (lower(display_name) text_pattern_ops)`,
    );

    await db.query(`
      CREATE TABLE api_keys (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name         varchar(64) NOT NULL,
        scopes       text[] NOT NULL CHECK (cardinality(scopes) > 0),
        boards       varchar(64)[],
        key_hash     bytea NOT NULL,
        created_by   bigint,
        created_at   timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at   timestamptz
      )`);

    await db.query(`
      ALTER TABLE scores
        ADD COLUMN removed_at     timestamptz,
        ADD COLUMN removed_reason text,
        ADD COLUMN api_key_id     bigint`);
    await this.pendingIndexes(db, `${PENDING} AND removed_at IS NULL`);

    await db.query(`
      ALTER TABLE user_stats
        ADD COLUMN version   bigint NOT NULL DEFAULT 1,
        ADD COLUMN suspended boolean NOT NULL DEFAULT false,
        ADD COLUMN ranked    boolean NOT NULL DEFAULT true`);
    await db.query(`DROP INDEX user_stats_ranking_idx`);
    await db.query(`
      CREATE INDEX user_stats_ranking_idx
        ON user_stats (period_id, rank_score, achieved_at, user_id) WHERE ranked`);

    await db.query(`
      CREATE TABLE submission_windows (
        user_id  bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        board_id varchar(64) NOT NULL,
        accepted timestamptz[] NOT NULL,
        PRIMARY KEY (user_id, board_id)
      )`);

    await db.query(`
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only';
      END $$`);
    await db.query(`
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    await db.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER audit_log_no_truncate ON audit_log`);
    await db.query(`DROP TRIGGER audit_log_append_only ON audit_log`);
    await db.query(`DROP FUNCTION audit_log_append_only()`);
    await db.query(`DROP TABLE submission_windows`);
    // Standings without a counted score did not exist before.
    await db.query(`DELETE FROM user_stats WHERE total_scores = 0`);
    await db.query(`DROP INDEX user_stats_ranking_idx`);
    await db.query(
      `ALTER TABLE user_stats DROP COLUMN ranked, DROP COLUMN suspended, DROP COLUMN version`,
    );
    await db.query(`
      CREATE INDEX user_stats_ranking_idx
        ON user_stats (period_id, rank_score, achieved_at, user_id)`);
    await this.pendingIndexes(db, PENDING);
    await db.query(`
      ALTER TABLE scores DROP COLUMN api_key_id, DROP COLUMN removed_reason,
        DROP COLUMN removed_at`);
    await db.query(`DROP TABLE api_keys`);
    await db.query(`DROP INDEX users_display_name_prefix_idx`);
    await db.query(`DROP INDEX users_email_prefix_idx`);
    await db.query(`ALTER TABLE users DROP COLUMN ban_reason, DROP COLUMN banned_at`);
  }

  /** The partial indexes over pending scores (per user, by due time, per period). */
  private async pendingIndexes(db: QueryRunner, predicate: string): Promise<void> {
    await db.query(`DROP INDEX scores_pending_idx`);
    await db.query(`DROP INDEX scores_due_idx`);
    await db.query(`DROP INDEX scores_pending_period_idx`);
    await db.query(`CREATE INDEX scores_pending_idx ON scores (user_id) WHERE ${predicate}`);
    await db.query(`CREATE INDEX scores_due_idx ON scores (retry_at) WHERE ${predicate}`);
    await db.query(
      `CREATE INDEX scores_pending_period_idx ON scores (period_id) WHERE ${predicate}`,
    );
  }
}
