import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An account deletion takes the player's events out of the webhook outbox (SPEC 2b: nothing of a
 * deleted account is kept): these indexes find them without reading the whole outbox, which holds
 * up to 30 days of events. One on the player an event is about (every type but period.finalized),
 * one on the period of a period.finalized event (whose top placements may name the player).
 */
export class WebhookEventsByPlayer1795560000000 implements MigrationInterface {
  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE INDEX webhook_events_user_idx ON webhook_events ((data->>'user_id'))
       WHERE data ? 'user_id'`);
    await db.query(`
      CREATE INDEX webhook_events_period_idx ON webhook_events ((data->'period'->>'id'))
       WHERE type = 'period.finalized'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX webhook_events_period_idx`);
    await db.query(`DROP INDEX webhook_events_user_idx`);
  }
}
