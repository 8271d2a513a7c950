import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { BackgroundLoop, type StepResult } from '../common/background-loop';
import { backoffMs } from '../common/retry-policy';
import { AppConfig } from '../config/app-config';
import { Metrics } from '../metrics/metrics.service';
import { WebhookSender, type AttemptOutcome } from './webhook-sender';
import { WebhooksRepository, type DueDelivery } from './webhooks.repository';

const IDLE_MS = 200;
const FAN_OUT_PAGE = 500;
/**
 * Attempts in flight per process, and per endpoint: enough that an endpoint answering in tens of
 * milliseconds keeps up with hundreds of events a second, while one that hangs holds only its own.
 */
const MAX_IN_FLIGHT = 128;
const PER_ENDPOINT = 32;
/** How long a taken delivery is left to its worker beyond the attempt's own timeout. */
const LEASE_MARGIN_MS = 30_000;
/** Events and their delivery logs are kept this long, then purged (at most once a minute). */
export const EVENT_RETENTION_DAYS = 30;
const PURGE_EVERY_MS = 60_000;
const PURGE_PAGE = 1000;

/**
 * Delivers webhook events (worker side), at least once. Each step fans new outbox events out
 * into deliveries and starts attempts of the deliveries that are due, without waiting for them:
 * attempts run side by side, at most PER_ENDPOINT of one endpoint at a time, so a slow or dead
 * endpoint holds its own slots and nobody else's. A delivery is taken under a lease (its next
 * attempt moved ahead), so several workers share the work (SKIP LOCKED) and a worker that dies
 * mid-attempt leaves the delivery to be taken again. An answer other than 2xx, a timeout or a
 * failed connection is retried with exponential backoff and jitter until the delivery's window
 * (WEBHOOK_RETRY_WINDOW_MS) is over, then the delivery is `failed`; an address the URL may not
 * reach fails it at once. A failure of the database is the loop's (it backs off and tries again).
 * Once a minute (and at start) it purges events older than EVENT_RETENTION_DAYS.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly loop: BackgroundLoop;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly perEndpoint = new Map<string, number>();
  /** Deliveries answered 2xx and not yet recorded: written together at the next step. */
  private delivered: Array<{ id: string; statusCode: number }> = [];
  private purgedAt = 0;

  constructor(
    private readonly repository: WebhooksRepository,
    private readonly sender: WebhookSender,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    this.loop = new BackgroundLoop(
      'webhook-delivery',
      () => this.step(),
      {
        idleMs: IDLE_MS,
        maxBackoffMs: 10_000,
        onFailure: (failureClass) => metrics.retries.inc({ class: failureClass }),
      },
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.stop();
    await Promise.all(this.inFlight);
    await this.recordDelivered().catch((error: unknown) =>
      // Their leases run out and they are delivered again: at least once still holds.
      this.logger.warn({ err: error }, 'Recording deliveries at shutdown failed'),
    );
  }

  /**
   * Writes the deliveries answered 2xx since the last step, in one statement; if that fails they
   * are kept for the next step (and, should this process die first, their leases run out and they
   * are sent again: at least once).
   */
  private async recordDelivered(): Promise<void> {
    const delivered = this.delivered;
    if (delivered.length === 0) return;
    this.delivered = [];
    try {
      await this.repository.markDelivered(delivered);
    } catch (error) {
      this.delivered.push(...delivered);
      throw error;
    }
    this.metrics.webhookDeliveries.inc({ outcome: 'delivered' }, delivered.length);
  }

  private async step(): Promise<StepResult> {
    const { retryWindowMs, timeoutMs } = this.config.webhooks;
    await this.recordDelivered();
    const fanned = await this.repository.fanOut(FAN_OUT_PAGE, retryWindowMs);
    const room = MAX_IN_FLIGHT - this.inFlight.size;
    const busy = [...this.perEndpoint].filter(([, n]) => n >= PER_ENDPOINT).map(([id]) => id);
    const due =
      room > 0
        ? await this.repository.takeDue(room, PER_ENDPOINT, timeoutMs + LEASE_MARGIN_MS, busy)
        : [];
    for (const delivery of due) this.start(delivery);
    const purged = await this.purge();
    if (fanned === FAN_OUT_PAGE || due.length > 0 || purged === PURGE_PAGE) return 'worked';
    if (this.inFlight.size === 0 && this.delivered.length === 0) return 'idle';
    // Attempts are running (and may hold every slot of an endpoint with more due): go on as soon
    // as one ends, or after the idle pause, whichever is first.
    await Promise.race([...this.inFlight, this.loop.sleep(IDLE_MS)]);
    return 'worked';
  }

  private async purge(): Promise<number> {
    if (Date.now() - this.purgedAt < PURGE_EVERY_MS) return 0;
    const purged = await this.repository.purgeEventsOlderThan(EVENT_RETENTION_DAYS, PURGE_PAGE);
    if (purged < PURGE_PAGE) this.purgedAt = Date.now();
    if (purged > 0) this.logger.log({ purged }, 'Purged webhook events past their retention');
    return purged;
  }

  private start(delivery: DueDelivery): void {
    const endpoint = delivery.endpointId;
    this.perEndpoint.set(endpoint, (this.perEndpoint.get(endpoint) ?? 0) + 1);
    const attempt = this.attempt(delivery)
      .catch((error: unknown) => {
        // Recording the outcome failed (the database is away): the lease runs out and the
        // delivery is taken again, so it is still delivered at least once.
        this.logger.warn({ err: error, deliveryId: delivery.id }, 'Recording a delivery failed');
      })
      .finally(() => {
        this.inFlight.delete(attempt);
        const left = (this.perEndpoint.get(endpoint) ?? 1) - 1;
        if (left > 0) this.perEndpoint.set(endpoint, left);
        else this.perEndpoint.delete(endpoint);
      });
    this.inFlight.add(attempt);
  }

  private async attempt(delivery: DueDelivery): Promise<void> {
    const { event } = delivery;
    const body = JSON.stringify({
      id: event.id,
      type: event.type,
      created_at: new Date(event.created_at).toISOString(),
      data: event.data,
    });
    const outcome = await this.sender.send(delivery.url, delivery.secret, body, {
      'scoreboard-event-id': event.id,
      'scoreboard-event-type': event.type,
    });
    await this.record(delivery, outcome);
  }

  private async record(delivery: DueDelivery, outcome: AttemptOutcome): Promise<void> {
    const fields = { deliveryId: delivery.id, endpointId: delivery.endpointId };
    if (outcome.kind === 'delivered') {
      this.delivered.push({ id: delivery.id, statusCode: outcome.statusCode });
      return;
    }
    const { retryBaseMs, retryMaxMs } = this.config.webhooks;
    const delayMs =
      outcome.kind === 'refused'
        ? null
        : backoffMs({ baseMs: retryBaseMs, maxMs: retryMaxMs }, delivery.attempts);
    const giveUp = delayMs === null || Date.now() + delayMs > delivery.giveUpAt.getTime();
    const statusCode = outcome.kind === 'retry' ? outcome.statusCode : null;
    await this.repository.markFailedAttempt(
      delivery.id,
      statusCode,
      outcome.error,
      giveUp ? null : delayMs,
    );
    this.metrics.webhookDeliveries.inc({ outcome: giveUp ? 'failed' : 'retried' });
    if (giveUp) this.logger.warn({ ...fields, error: outcome.error }, 'Webhook delivery failed');
  }
}
