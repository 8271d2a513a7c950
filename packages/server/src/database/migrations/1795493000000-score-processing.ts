import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bookkeeping for applying scores exactly once: retries with backoff (attempts, last_error,
 * retry_at) and dead letters (dead_at). A score is pending while applied_at and dead_at are null.
 */
export class ScoreProcessing1795493000000 implements MigrationInterface {
  name = 'ScoreProcessing1795493000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE scores
        ADD COLUMN attempts   integer NOT NULL DEFAULT 0,
        ADD COLUMN last_error text,
        ADD COLUMN retry_at   timestamptz NOT NULL DEFAULT now(),
        ADD COLUMN dead_at    timestamptz`);
    await db.query(`DROP INDEX scores_unapplied_idx`);
    // pending_scores per user.
    await db.query(`
      CREATE INDEX scores_pending_idx ON scores (user_id)
        WHERE applied_at IS NULL AND dead_at IS NULL`);
    // The sweeper's queue: pending scores by the time they are due for (re)delivery.
    await db.query(`
      CREATE INDEX scores_due_idx ON scores (retry_at)
        WHERE applied_at IS NULL AND dead_at IS NULL`);
    await db.query(`CREATE INDEX scores_dead_idx ON scores (dead_at) WHERE dead_at IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX scores_dead_idx`);
    await db.query(`DROP INDEX scores_due_idx`);
    await db.query(`DROP INDEX scores_pending_idx`);
    await db.query(
      `CREATE INDEX scores_unapplied_idx ON scores (user_id, id) WHERE applied_at IS NULL`,
    );
    await db.query(`
      ALTER TABLE scores
        DROP COLUMN dead_at, DROP COLUMN retry_at, DROP COLUMN last_error, DROP COLUMN attempts`);
  }
}
