import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events out and period results (SPEC section 2d).
 *
 * - `webhook_endpoints`: where admins want events sent, which types, optionally which boards. The
 *   signing secret is kept as is (it signs every delivery), and shown to the admin once.
 * - `webhook_events`: the outbox. A row is written in the transaction of its fact (an apply, a
 *   finalization, a moderation), so an event exists exactly when its fact committed; its `id` is
 *   the stable id receivers drop repeats by. `dispatched_at` is set once the event was fanned
 *   out into one delivery per endpoint that wanted it. Events (and their deliveries) are kept for
 *   30 days, then purged unless a delivery of theirs is still pending.
 * - `webhook_deliveries`: one event to one endpoint, retried until `give_up_at`, then `failed`.
 * - `period_finalizations`: a period whose results were written, with the current `revision`
 *   (1 when it became final; a removal, ban, unban or deletion touching it writes the next).
 * - `period_results`: the placements of every revision. `user_id` has no foreign key on purpose:
 *   writing results must not share-lock players' rows, which bans hold while they revise results
 *   (a deadlock otherwise); an account deletion removes its results itself.
 * - `result_claims`: a player's reward for a period, claimed once (the primary key decides).
 * - `board_periods.results_written_at`: set when the period's results are written, so that the
 *   finalizer's search for periods to finalize reads an index of the few that are not, instead
 *   of every period there ever was (a minute board has half a million a year).
 */
export class WebhooksAndResults1795540000000 implements MigrationInterface {
  name = 'WebhooksAndResults1795540000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE webhook_endpoints (
        id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        url        text NOT NULL,
        events     text[] NOT NULL CHECK (cardinality(events) > 0),
        boards     varchar(64)[],
        secret     text NOT NULL,
        enabled    boolean NOT NULL DEFAULT true,
        created_by bigint,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE webhook_events (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type          text NOT NULL,
        board_id      varchar(64),
        data          jsonb NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
        dispatched_at timestamptz
      )`);
    await db.query(`
      CREATE INDEX webhook_events_undispatched_idx ON webhook_events (created_at)
        WHERE dispatched_at IS NULL`);
    // The purge of events past their retention, oldest first.
    await db.query(`CREATE INDEX webhook_events_created_idx ON webhook_events (created_at)`);
    await db.query(`
      CREATE TABLE webhook_deliveries (
        id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        endpoint_id      bigint NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        event_id         uuid NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
        status           varchar(9) NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts         integer NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz NOT NULL DEFAULT now(),
        give_up_at       timestamptz NOT NULL,
        last_attempt_at  timestamptz,
        last_status_code integer,
        last_error       text,
        created_at       timestamptz NOT NULL DEFAULT now(),
        delivered_at     timestamptz,
        UNIQUE (endpoint_id, event_id)
      )`);
    await db.query(`
      CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
        WHERE status = 'pending'`);
    await db.query(`
      CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id)`);

    await db.query(`
      CREATE TABLE period_finalizations (
        period_id    bigint PRIMARY KEY REFERENCES board_periods (id),
        board_id     varchar(64) NOT NULL,
        revision     integer NOT NULL DEFAULT 1,
        finalized_at timestamptz NOT NULL DEFAULT now(),
        revised_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE period_results (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        period_id   bigint NOT NULL REFERENCES period_finalizations (period_id),
        revision    integer NOT NULL,
        rank        integer NOT NULL,
        user_id     bigint NOT NULL,
        value       bigint NOT NULL,
        achieved_at timestamptz NOT NULL,
        UNIQUE (period_id, revision, rank)
      )`);
    await db.query(`CREATE INDEX period_results_user_idx ON period_results (user_id, period_id)`);
    await db.query(`
      CREATE TABLE result_claims (
        period_id  bigint NOT NULL REFERENCES period_finalizations (period_id),
        user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        claimed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (period_id, user_id)
      )`);
    await db.query(`CREATE INDEX result_claims_user_idx ON result_claims (user_id)`);
    await db.query(`ALTER TABLE board_periods ADD COLUMN results_written_at timestamptz`);
    await db.query(`
      CREATE INDEX board_periods_unfinalized_idx ON board_periods (ends_at)
        WHERE results_written_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX board_periods_unfinalized_idx`);
    await db.query(`ALTER TABLE board_periods DROP COLUMN results_written_at`);
    await db.query(`DROP TABLE result_claims`);
    await db.query(`DROP TABLE period_results`);
    await db.query(`DROP TABLE period_finalizations`);
    await db.query(`DROP TABLE webhook_deliveries`);
    await db.query(`DROP TABLE webhook_events`);
    await db.query(`DROP TABLE webhook_endpoints`);
  }
}
