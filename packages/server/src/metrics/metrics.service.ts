import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { BacklogRepository } from './backlog.repository';
import { answerCollections, hostMetrics, servesHostMetrics } from './host-metrics';

const BACKLOG_REFRESH_MS = 5000;

/**
 * Every metric of the process, on a registry of its own (so that several apps in one test process
 * do not collide). Served at GET /metrics in Prometheus text format: with API_PROCESSES above 1,
 * those of every HTTP process of the host, merged (see host-metrics.ts).
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'scoreboard_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly scoresAccepted = new Counter({
    name: 'scoreboard_scores_accepted_total',
    help: 'Scores stored by POST /api/scores',
    registers: [this.registry],
  });
  readonly scoresReplayed = new Counter({
    name: 'scoreboard_scores_replayed_total',
    help: 'POST /api/scores answered with an already stored score (same idempotency key)',
    registers: [this.registry],
  });
  readonly eventsPublished = new Counter({
    name: 'scoreboard_events_published_total',
    help: 'score-submitted events handed to the transport',
    registers: [this.registry],
  });
  readonly eventsPublishFailed = new Counter({
    name: 'scoreboard_events_publish_failed_total',
    help: 'score-submitted events the transport refused (the sweeper delivers those scores)',
    registers: [this.registry],
  });
  readonly eventsProcessed = new Counter({
    name: 'scoreboard_events_processed_total',
    help: 'Scores applied to the aggregates',
    registers: [this.registry],
  });
  readonly eventsDuplicate = new Counter({
    name: 'scoreboard_events_duplicate_total',
    help: 'Deliveries of scores that were already applied (counted once, ignored after)',
    registers: [this.registry],
  });
  readonly eventsRetried = new Counter({
    name: 'scoreboard_events_retried_total',
    help: 'Failed attempts to apply a score that were scheduled for a retry',
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: 'scoreboard_retries_total',
    help:
      'Work tried again after a failure, by class: transient ones (deadlock, serialization, ' +
      'lock_timeout, statement_timeout, connection, database_unavailable, redis) spend no attempt; ' +
      'permanent ones spend one of the score’s attempts',
    labelNames: ['class'],
    registers: [this.registry],
  });
  readonly eventsDeadLettered = new Counter({
    name: 'scoreboard_events_dead_lettered_total',
    help: 'Scores parked as dead letters after their last attempt',
    registers: [this.registry],
  });
  readonly webhookDeliveries = new Counter({
    name: 'scoreboard_webhook_deliveries_total',
    help:
      'Webhook delivery attempts by outcome: delivered (2xx), retried (another answer, none in ' +
      'time, or no connection: tried again later), failed (given up, or an address refused)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly eventsSwept = new Counter({
    name: 'scoreboard_events_swept_total',
    help: 'Pending scores the sweeper delivered from PostgreSQL (late, or due for a retry)',
    registers: [this.registry],
  });
  readonly processingLag = new Histogram({
    name: 'scoreboard_processing_lag_seconds',
    help: 'From a score being accepted to it being applied',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly applyDuration = new Histogram({
    name: 'scoreboard_apply_lock_wait_seconds',
    help:
      'Time per batch in the apply statement: waiting for the score and aggregate row locks, ' +
      'then updating them (under contention, nearly all of it is lock wait)',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly pendingBacklog = new Gauge({
    name: 'scoreboard_pending_scores',
    help: 'Scores accepted and not yet applied (dead letters excluded)',
    registers: [this.registry],
    aggregator: 'max', // every process reads the one database's count
  });
  readonly deadLetters = new Gauge({
    name: 'scoreboard_dead_letters',
    help: 'Scores currently parked as dead letters',
    registers: [this.registry],
    aggregator: 'max',
  });

  private backlogReadAt = 0;
  private backlogRead: Promise<void> | undefined;

  constructor(
    private readonly backlog: BacklogRepository,
    private readonly config: AppConfig,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'scoreboard_' });
    if (servesHostMetrics()) {
      answerCollections(async () => {
        await this.refreshBacklog();
        return this.registry.getMetricsAsJSON();
      });
    }
  }

  /** Whether a scrape may read the metrics: anyone, unless METRICS_TOKEN is set. */
  allows(authorization: string | undefined): boolean {
    const token = this.config.metricsToken;
    if (token === undefined) return true;
    const expected = Buffer.from(`Bearer ${token}`);
    const given = Buffer.from(authorization ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /**
   * The Prometheus text. The backlog gauges are PostgreSQL's truth, read at most once per
   * BACKLOG_REFRESH_MS however often the metrics are scraped, and never by two scrapes at once.
   */
  async render(): Promise<string> {
    if (servesHostMetrics()) return hostMetrics();
    await this.refreshBacklog();
    return this.registry.metrics();
  }

  private async refreshBacklog(): Promise<void> {
    if (Date.now() - this.backlogReadAt > BACKLOG_REFRESH_MS) {
      this.backlogRead ??= this.readBacklog().finally(() => (this.backlogRead = undefined));
      await this.backlogRead;
    }
  }

  private async readBacklog(): Promise<void> {
    try {
      const { pending, dead } = await this.backlog.counts();
      this.pendingBacklog.set(pending);
      this.deadLetters.set(dead);
    } finally {
      // Also after a failure: an unreachable database is not asked again on every scrape.
      this.backlogReadAt = Date.now();
    }
  }
}
