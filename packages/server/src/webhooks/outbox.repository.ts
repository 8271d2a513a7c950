import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { OutboxEvent } from './webhook-events';
import { rankedValueOf } from '../processing/standing-sql';

/**
 * The outbox of events out (webhook_events). Every write takes the transaction of the fact it
 * tells about, so that the event exists exactly when the fact committed; its id (a UUID given by
 * the database) is the event's stable id, the same in every delivery. Inserting takes no lock
 * another transaction can hold (new rows, no foreign key), so it adds nothing to the lock order
 * of the apply statement or of moderation.
 */
@Injectable()
export class OutboxRepository {
  async append(db: EntityManager, events: OutboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    await db.query(
      `INSERT INTO webhook_events (type, board_id, data)
       SELECT e->>'type', e->>'board_id', e->'data' FROM jsonb_array_elements($1::jsonb) e`,
      [JSON.stringify(events.map((e) => ({ type: e.type, board_id: e.boardId, data: e.data })))],
    );
  }

  /**
   * In an account deletion's transaction, before its player.deleted event: the outbox's events
   * about the player go, delivered or not, with their deliveries (an event still pending would
   * send the deleted player's scores after the deletion), and so do the period.finalized events
   * whose top placements name them (of `periodIds`, the periods the player had a standing in;
   * each gets a new revision without them in the same transaction).
   */
  async forgetUser(db: EntityManager, userId: string, periodIds: string[]): Promise<void> {
    await db.query(
      `DELETE FROM webhook_events
        WHERE (data ? 'user_id' AND data->>'user_id' = $1)
           OR (type = 'period.finalized' AND data->'period'->>'id' = ANY ($2::text[])
               AND data->'top' @> jsonb_build_array(jsonb_build_object('user_id', $1::text)))`,
      [userId, periodIds],
    );
  }

  /**
   * One `score.applied` event per score the apply statement of this transaction just applied
   * (with its metadata, if it has any), with the standing it left: read in the same transaction, which holds each standing's row
   * lock, so it is exactly the standing after this batch. `rank` is not known here (counting it
   * would cost a scan of the board); it is null.
   *
   * Only for a score that an enabled endpoint takes (its event type, its board), as this
   * transaction sees the endpoints: every applied score is the bulk of the outbox, and an event
   * no endpoint receives would be written, fanned out to nobody and deleted, a third of what
   * PostgreSQL did per score (docs/benchmarks.md). With no such endpoint the statement reads
   * nothing (the first EXISTS is evaluated once).
   */
  async appendScoresApplied(db: EntityManager, scoreIds: string[]): Promise<void> {
    if (scoreIds.length === 0) return;
    await db.query(
      `INSERT INTO webhook_events (type, board_id, data)
       SELECT 'score.applied', s.board_id, jsonb_build_object(
                'score_id', s.id::text, 'board', s.board_id, 'period', s.period_id::text,
                'user_id', s.user_id::text, 'value', s.value, 'created_at', s.created_at,
                'applied_at', s.applied_at,
                'standing', jsonb_build_object(
                  'ranking', st.ranking,
                  'value', ${rankedValueOf('st')},
                  'best', st.high_score, 'achieved_at', st.achieved_at,
                  'total_scores', st.total_scores,
                  'average', (st.sum_scores::numeric / nullif(st.total_scores, 0))::float8,
                  'ranked', st.ranked),
                'rank', NULL)
              -- The score's metadata as the score carries it elsewhere: absent when it has none.
              || CASE WHEN s.metadata IS NULL THEN '{}'::jsonb
                      ELSE jsonb_build_object('metadata', s.metadata) END
         FROM scores s JOIN user_stats st ON st.period_id = s.period_id AND st.user_id = s.user_id
        WHERE s.id = ANY($1::bigint[])
          AND EXISTS (SELECT 1 FROM webhook_endpoints
                       WHERE enabled AND 'score.applied' = ANY (events))
          AND EXISTS (SELECT 1 FROM webhook_endpoints w
                       WHERE w.enabled AND 'score.applied' = ANY (w.events)
                         AND (w.boards IS NULL OR s.board_id = ANY (w.boards)))
        ORDER BY s.id`,
      [scoreIds],
    );
  }
}
