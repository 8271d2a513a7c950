import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditRepository } from '../audit/audit.repository';
import { InjectBackgroundDataSource } from '../database/database.module';
import { queryRows } from '../database/sql';
import type { WebhookEventType } from './webhook-events';

export type Endpoint = {
  id: string;
  url: string;
  events: WebhookEventType[];
  boards: string[] | null;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
};

export type EndpointFields = Pick<Endpoint, 'url' | 'events' | 'boards' | 'enabled'>;

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export type Delivery = {
  id: string;
  eventId: string;
  eventType: WebhookEventType;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  createdAt: Date;
  deliveredAt: Date | null;
};

/** A delivery taken for an attempt, with what it takes to send it. */
export type DueDelivery = {
  id: string;
  endpointId: string;
  url: string;
  secret: string;
  attempts: number;
  giveUpAt: Date;
  event: { id: string; type: WebhookEventType; created_at: string; data: unknown };
};

type EndpointRow = {
  id: string;
  url: string;
  events: WebhookEventType[];
  boards: string[] | null;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
};

const ENDPOINT = `id::text, url, events, boards, enabled, created_at, updated_at`;

/**
 * Webhook endpoints (admin changes each with its audit log entry, in one transaction) and their
 * deliveries: the fan-out of outbox events into deliveries, and the taking of due deliveries,
 * each split between workers with FOR UPDATE SKIP LOCKED.
 */
@Injectable()
export class WebhooksRepository {
  constructor(
    private readonly dataSource: DataSource,
    @InjectBackgroundDataSource() private readonly background: DataSource,
    private readonly audit: AuditRepository,
  ) {}

  create(fields: EndpointFields, secret: string, actorId: string): Promise<Endpoint> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = await queryRows<EndpointRow>(
        manager,
        `INSERT INTO webhook_endpoints (url, events, boards, enabled, secret, created_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${ENDPOINT}`,
        [fields.url, fields.events, fields.boards, fields.enabled, secret, actorId],
      );
      await this.audit.append(manager, {
        actorId,
        action: 'webhooks.create',
        target: `webhook:${row!.id}`,
        reason: `${fields.url} (${fields.events.join(', ')})`,
      });
      return toEndpoint(row!);
    });
  }

  async list(): Promise<Endpoint[]> {
    const rows = await queryRows<EndpointRow>(
      this.dataSource,
      `SELECT ${ENDPOINT} FROM webhook_endpoints ORDER BY id`,
    );
    return rows.map(toEndpoint);
  }

  async find(id: string): Promise<Endpoint | null> {
    const [row] = await queryRows<EndpointRow>(
      this.dataSource,
      `SELECT ${ENDPOINT} FROM webhook_endpoints WHERE id = $1`,
      [id],
    );
    return row ? toEndpoint(row) : null;
  }

  update(
    id: string,
    fields: EndpointFields,
    audit: { actorId: string; changed: string[] },
  ): Promise<Endpoint | null> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = await queryRows<EndpointRow>(
        manager,
        `UPDATE webhook_endpoints
            SET url = $2, events = $3, boards = $4, enabled = $5, updated_at = now()
          WHERE id = $1 RETURNING ${ENDPOINT}`,
        [id, fields.url, fields.events, fields.boards, fields.enabled],
      );
      if (!row) return null;
      await this.audit.append(manager, {
        actorId: audit.actorId,
        action: 'webhooks.update',
        target: `webhook:${id}`,
        reason: audit.changed.length > 0 ? `changed ${audit.changed.join(', ')}` : null,
      });
      return toEndpoint(row);
    });
  }

  /** Deletes the endpoint and its deliveries; false when there is none. */
  delete(id: string, actorId: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await queryRows<{ id: string }>(
        manager,
        `DELETE FROM webhook_endpoints WHERE id = $1 RETURNING id::text`,
        [id],
      );
      if (rows.length === 0) return false;
      await this.audit.append(manager, {
        actorId,
        action: 'webhooks.delete',
        target: `webhook:${id}`,
      });
      return true;
    });
  }

  /** A page of the endpoint's deliveries, newest first. */
  async deliveries(endpointId: string, limit: number, beforeId?: string): Promise<Delivery[]> {
    const rows = await queryRows<{
      id: string;
      event_id: string;
      type: WebhookEventType;
      status: DeliveryStatus;
      attempts: number;
      last_status_code: number | null;
      last_error: string | null;
      next_attempt_at: Date;
      created_at: Date;
      delivered_at: Date | null;
    }>(
      this.dataSource,
      `SELECT d.id::text, d.event_id::text, e.type, d.status, d.attempts, d.last_status_code,
              d.last_error, d.next_attempt_at, d.created_at, d.delivered_at
         FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
        WHERE d.endpoint_id = $1 AND ($2::bigint IS NULL OR d.id < $2::bigint)
        ORDER BY d.id DESC LIMIT $3`,
      [endpointId, beforeId ?? null, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      eventId: row.event_id,
      eventType: row.type,
      status: row.status,
      attempts: row.attempts,
      lastStatusCode: row.last_status_code,
      lastError: row.last_error,
      nextAttemptAt: row.status === 'pending' ? row.next_attempt_at : null,
      createdAt: row.created_at,
      deliveredAt: row.delivered_at,
    }));
  }

  /**
   * Sends the delivery again (whatever its status) as soon as a worker takes it, retried for
   * another `windowMs`; false when the endpoint has no such delivery.
   */
  redeliver(
    endpointId: string,
    deliveryId: string,
    windowMs: number,
    actorId: string,
  ): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await queryRows<{ id: string }>(
        manager,
        `UPDATE webhook_deliveries
            SET status = 'pending', next_attempt_at = now(),
                give_up_at = now() + make_interval(secs => $3::double precision / 1000)
          WHERE id = $1 AND endpoint_id = $2 RETURNING id::text`,
        [deliveryId, endpointId, windowMs],
      );
      if (rows.length === 0) return false;
      await this.audit.append(manager, {
        actorId,
        action: 'webhooks.redeliver',
        target: `webhook:${endpointId}`,
        reason: `delivery ${deliveryId}`,
      });
      return true;
    });
  }

  /**
   * Fans up to `limit` outbox events out: one delivery per enabled endpoint that subscribed to the
   * event's type (and, for an event about a board, to that board or to every board), then marks
   * them dispatched; one statement, so an event is fanned out once even with several workers.
   * Returns how many events it took.
   */
  async fanOut(limit: number, windowMs: number): Promise<number> {
    const [row] = await queryRows<{ events: number }>(
      this.background,
      `WITH taken AS (
         SELECT id, type, board_id, created_at FROM webhook_events
          WHERE dispatched_at IS NULL
          ORDER BY created_at LIMIT $1
          FOR UPDATE SKIP LOCKED
       ),
       fanned AS (
         INSERT INTO webhook_deliveries (endpoint_id, event_id, give_up_at)
         SELECT w.id, t.id, now() + make_interval(secs => $2::double precision / 1000)
           FROM taken t JOIN webhook_endpoints w
             ON w.enabled AND t.type = ANY (w.events)
            AND (w.boards IS NULL OR t.board_id IS NULL OR t.board_id = ANY (w.boards))
          ORDER BY t.created_at, w.id
         ON CONFLICT (endpoint_id, event_id) DO NOTHING
       ),
       marked AS (
         UPDATE webhook_events e SET dispatched_at = now() FROM taken t WHERE e.id = t.id
       )
       SELECT count(*)::int AS events FROM taken`,
      [limit, windowMs],
    );
    return row!.events;
  }

  /**
   * Takes due deliveries for an attempt: none of `busyEndpoints` (those with attempts enough in
   * flight), at most `perEndpoint` of any other (so that a slow endpoint's backlog never holds up
   * another's), `limit` in all, and moves their next
   * attempt `leaseMs` ahead (so that no other worker takes them meanwhile, and a worker that dies
   * mid-attempt leaves them to be taken again after the lease: at least once).
   */
  async takeDue(
    limit: number,
    perEndpoint: number,
    leaseMs: number,
    busyEndpoints: string[],
  ): Promise<DueDelivery[]> {
    const rows = await queryRows<{
      id: string;
      endpoint_id: string;
      url: string;
      secret: string;
      attempts: number;
      give_up_at: Date;
      event: DueDelivery['event'];
    }>(
      this.background,
      `WITH due AS (
         SELECT id, endpoint_id, next_attempt_at FROM webhook_deliveries
          WHERE status = 'pending' AND next_attempt_at <= now()
            AND endpoint_id <> ALL ($4::bigint[])
          ORDER BY next_attempt_at LIMIT $1 * 4
          FOR UPDATE SKIP LOCKED
       ),
       chosen AS (
         SELECT id FROM (
           SELECT id, next_attempt_at,
                  row_number() OVER (PARTITION BY endpoint_id ORDER BY next_attempt_at) AS nth
             FROM due) d
          WHERE nth <= $2 ORDER BY next_attempt_at LIMIT $1
       ),
       leased AS (
         UPDATE webhook_deliveries d
            SET attempts = d.attempts + 1, last_attempt_at = now(),
                next_attempt_at = now() + make_interval(secs => $3::double precision / 1000)
           FROM chosen c WHERE d.id = c.id
         RETURNING d.id, d.endpoint_id, d.event_id, d.attempts, d.give_up_at
       )
       SELECT l.id::text, l.endpoint_id::text, w.url, w.secret, l.attempts, l.give_up_at,
              json_build_object('id', e.id, 'type', e.type, 'created_at', e.created_at,
                                'data', e.data) AS event
         FROM leased l
         JOIN webhook_endpoints w ON w.id = l.endpoint_id
         JOIN webhook_events e ON e.id = l.event_id`,
      [limit, perEndpoint, leaseMs, busyEndpoints],
    );
    return rows.map((row) => ({
      id: row.id,
      endpointId: row.endpoint_id,
      url: row.url,
      secret: row.secret,
      attempts: row.attempts,
      giveUpAt: row.give_up_at,
      event: row.event,
    }));
  }

  /**
   * Deletes up to `limit` events older than `days` days (their deliveries go with them), except
   * those not fanned out yet or with a delivery still pending; returns how many.
   */
  async purgeEventsOlderThan(days: number, limit: number): Promise<number> {
    const [row] = await queryRows<{ purged: number }>(
      this.background,
      `WITH purged AS (
         DELETE FROM webhook_events WHERE id IN (
           SELECT e.id FROM webhook_events e
            WHERE e.created_at < now() - make_interval(days => $1)
              AND e.dispatched_at IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d
                               WHERE d.event_id = e.id AND d.status = 'pending')
            ORDER BY e.created_at LIMIT $2
            FOR UPDATE SKIP LOCKED)
         RETURNING 1
       )
       SELECT count(*)::int AS purged FROM purged`,
      [days, limit],
    );
    return row!.purged;
  }

  /** Records deliveries answered 2xx, in one statement. */
  async markDelivered(delivered: Array<{ id: string; statusCode: number }>): Promise<void> {
    if (delivered.length === 0) return;
    await this.background.query(
      `UPDATE webhook_deliveries d
          SET status = 'delivered', delivered_at = now(), last_status_code = v.code,
              last_error = NULL
         FROM unnest($1::bigint[], $2::int[]) AS v (id, code)
        WHERE d.id = v.id`,
      [delivered.map((d) => d.id), delivered.map((d) => d.statusCode)],
    );
  }

  /** Records a failed attempt: retried after `retryInMs`, or `failed` when that is null. */
  async markFailedAttempt(
    id: string,
    statusCode: number | null,
    error: string,
    retryInMs: number | null,
  ): Promise<void> {
    await this.background.query(
      `UPDATE webhook_deliveries
          SET status = CASE WHEN $4::double precision IS NULL THEN 'failed' ELSE 'pending' END,
              next_attempt_at = now() + make_interval(secs => coalesce($4, 0) / 1000),
              last_status_code = $2, last_error = $3
        WHERE id = $1`,
      [id, statusCode, error.slice(0, 500), retryInMs],
    );
  }
}

function toEndpoint(row: EndpointRow): Endpoint {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    boards: row.boards,
    enabled: row.enabled,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
