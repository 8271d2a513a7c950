import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1795490000000 implements MigrationInterface {
  name = 'InitialSchema1795490000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE users (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        email         varchar(254) NOT NULL,
        password_hash text NOT NULL,
        display_name  varchar(32) NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    // Emails are unique regardless of case; the address is kept as the user typed it.
    await db.query(`CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email))`);

    await db.query(`
      CREATE TABLE scores (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        value           integer NOT NULL,
        idempotency_key varchar(255) NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        applied_at      timestamptz,
        CONSTRAINT scores_user_id_idempotency_key_key UNIQUE (user_id, idempotency_key)
      )`);
    // GET /api/me/scores: one user's scores, newest first, keyset-paginated by id.
    await db.query(`CREATE INDEX scores_user_id_id_idx ON scores (user_id, id DESC)`);
    // Scores accepted but not yet applied to the aggregates (backlog, pending_scores).
    await db.query(
      `CREATE INDEX scores_unapplied_idx ON scores (user_id, id) WHERE applied_at IS NULL`,
    );

    await db.query(`
      CREATE TABLE user_high_scores (
        user_id     bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        high_score  integer NOT NULL,
        achieved_at timestamptz NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    // Leaderboard order: high score desc, first to reach it, then user id.
    await db.query(`
      CREATE INDEX user_high_scores_ranking_idx
        ON user_high_scores (high_score DESC, achieved_at ASC, user_id ASC)`);

    await db.query(`
      CREATE TABLE user_stats (
        user_id      bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        total_scores bigint NOT NULL DEFAULT 0 CHECK (total_scores >= 0),
        sum_scores   bigint NOT NULL DEFAULT 0,
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);

    // Failed logins, counted per key ("account:<email>" or "address:<ip>") in a fixed window.
    await db.query(`
      CREATE TABLE login_failures (
        key               varchar(300) PRIMARY KEY,
        failures          integer NOT NULL,
        window_started_at timestamptz NOT NULL
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE login_failures`);
    await db.query(`DROP TABLE user_stats`);
    await db.query(`DROP TABLE user_high_scores`);
    await db.query(`DROP TABLE scores`);
    await db.query(`DROP TABLE users`);
  }
}
