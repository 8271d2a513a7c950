import { backoffDelay, type BackoffOptions } from './backoff.js';
import { ApiError, NetworkError } from './errors.js';
import type { ScoreItemDto, ScoreLookupDto, SubmittedScoreDto } from './generated/api.js';
import type { Http } from './http.js';
import type { QueuedSubmission, SubmissionStore } from './store.js';

/** What the queue tells the app, for each submission. */
export type QueueEvent =
  | { type: 'queued'; submission: QueuedSubmission }
  /** Stored now, by this request. */
  | { type: 'accepted'; submission: QueuedSubmission; score: SubmittedScoreDto }
  /**
   * Already stored by an earlier request whose answer was lost: answered as a replay, or found by
   * the lookup after a restart (then `score` is the stored score, with its board and status).
   */
  | {
      type: 'replayed';
      submission: QueuedSubmission;
      score: SubmittedScoreDto | ScoreItemDto;
    }
  /** Refused for good (a 4xx other than 401, 408 and 429): it is dropped from the queue. */
  | { type: 'refused'; submission: QueuedSubmission; error: ApiError }
  /** Not answered, or answered with a transient failure: it is sent again after `delayMs`. */
  | {
      type: 'retrying';
      submission: QueuedSubmission;
      error: ApiError | NetworkError;
      attempt: number;
      delayMs: number;
    }
  /** 401: the credentials are no longer valid. Sending stops until `resume()`. */
  | { type: 'unauthorized'; error: ApiError };

export type SubmitInput = {
  value: number;
  board?: string;
  /** With an API key: the player the score is for. */
  userId?: string | number;
  metadata?: Record<string, unknown>;
};

export type QueueOptions = {
  backoff?: BackoffOptions;
  /** For tests: the jitter's source. */
  random?: () => number;
};

const LOOKUP_BATCH = 100;

/**
 * Score submissions through a durable queue: each intended submission gets its idempotency key
 * once and is stored before it is sent; they are sent one at a time, in order; a transient failure
 * (no answer, 5xx, 408, 429) is retried with backoff, the same key each time; a submission is
 * forgotten only once the server answered it (stored, already stored, or refused for good). After
 * a restart, the submissions left in the store are first looked up (POST /api/scores/lookup):
 * those the server already holds are settled without being sent again, the others are sent.
 */
export class SubmissionQueue {
  private readonly listeners = new Set<(event: QueueEvent) => void>();
  private readonly pendingEntries: QueuedSubmission[] = [];
  private started: Promise<void> | undefined;
  private running = false;
  private paused = false;
  private loop: Promise<void> | undefined;
  /** Cuts the current backoff wait short (stop, resume, back online). */
  private wake: (() => void) | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly removals = new Set<Promise<unknown>>();
  /** Loaded from the store at start, not yet looked up. */
  private unsettled: QueuedSubmission[] = [];

  constructor(
    private readonly http: Http,
    private readonly store: SubmissionStore,
    private readonly options: QueueOptions = {},
  ) {}

  /** A browser that comes back online: retry now rather than at the end of the backoff. */
  private readonly onOnline = () => this.wake?.();

  /** Listens to the queue's events; returns the function that stops listening. */
  on(listener: (event: QueueEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The submissions not answered yet, in order. */
  get pending(): readonly QueuedSubmission[] {
    return this.pendingEntries;
  }

  /**
   * Queues one intended submission under a new idempotency key, and resolves with that key once
   * the submission is in the store (it is then sent, and sent again after a restart, until
   * answered). Call it once per score the player made.
   */
  async submit({ value, board, userId, metadata }: SubmitInput): Promise<string> {
    // The first submission starts the queue (after stop(), they wait for start()). Every call
    // waits for the same promise, so that concurrent calls reach the store in the order made.
    // A store that fails to load rejects `started`, and so this call.
    if (!this.started) this.start().catch(() => undefined);
    await this.started;
    const submission: QueuedSubmission = {
      key: globalThis.crypto.randomUUID(),
      value,
      queuedAt: new Date().toISOString(),
      ...(board === undefined ? {} : { board }),
      ...(userId === undefined ? {} : { userId: String(userId) }),
      ...(metadata === undefined ? {} : { metadata }),
    };
    await this.store.add(submission);
    this.pendingEntries.push(submission);
    this.emit({ type: 'queued', submission });
    this.kick();
    return submission.key;
  }

  /**
   * Loads what the store holds from before and starts sending (the first thing sent is the lookup
   * that settles what the server already stored). `submit` calls it; call it at launch to resume
   * at once. It waits for the store only, never for the network.
   */
  async start(): Promise<void> {
    this.started ??= this.store.load().then((stored) => {
      this.pendingEntries.unshift(...stored);
      this.unsettled = stored;
    });
    await this.started;
    this.running = true;
    // Listened to while running only, so that a stopped queue is not held by the page.
    globalThis.addEventListener?.('online', this.onOnline);
    this.kick();
  }

  /** Sends again at once: after `unauthorized` (with new credentials), or when back online. */
  resume(): void {
    this.paused = false;
    this.wake?.();
    this.kick();
  }

  /** Resolves once nothing is pending (everything queued so far was answered). */
  async whenEmpty(): Promise<void> {
    if (!this.started) await this.start();
    await this.started;
    if (this.pendingEntries.length > 0) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
    await this.removalsDone();
  }

  /**
   * Stops sending (what is pending stays in the store; `start()` goes on); resolves once no
   * request is under way.
   */
  async stop(): Promise<void> {
    this.running = false;
    globalThis.removeEventListener?.('online', this.onOnline);
    this.wake?.();
    await this.loop;
    await this.removalsDone();
  }

  private emit(event: QueueEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // The app's listener failed: that must not stop the queue. Report it as uncaught.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  private kick(): void {
    if (!this.running || this.paused || this.loop) return;
    this.loop = this.drain().finally(() => {
      this.loop = undefined;
      // Something may have been queued as the loop ended.
      if (this.pendingEntries.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    if (this.unsettled.length > 0) {
      const stored = this.unsettled;
      this.unsettled = [];
      await this.settleStored(stored);
    }
    let attempt = 0;
    while (this.running && !this.paused) {
      const submission = this.pendingEntries[0];
      if (!submission) {
        for (const resolve of this.idleWaiters.splice(0)) resolve();
        return;
      }
      try {
        const answer = await this.http.request<SubmittedScoreDto>('POST', '/api/scores', {
          value: submission.value,
          idempotency_key: submission.key,
          ...(submission.board === undefined ? {} : { board: submission.board }),
          ...(submission.userId === undefined ? {} : { user_id: submission.userId }),
          ...(submission.metadata === undefined ? {} : { metadata: submission.metadata }),
        });
        const replayed = answer.headers.get('idempotent-replayed') === 'true';
        this.forget(submission);
        this.emit({ type: replayed ? 'replayed' : 'accepted', submission, score: answer.body });
        attempt = 0;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          this.paused = true;
          this.emit({ type: 'unauthorized', error });
          return;
        }
        if (error instanceof ApiError && !error.transient) {
          this.forget(submission);
          this.emit({ type: 'refused', submission, error });
          attempt = 0;
          continue;
        }
        // Anything else (the app's token function failed, say) is retried like a lost request.
        const failure =
          error instanceof ApiError || error instanceof NetworkError
            ? error
            : new NetworkError(String((error as Error)?.message ?? error), { cause: error });
        attempt += 1;
        const delayMs = backoffDelay(
          attempt,
          this.options.backoff,
          this.options.random,
          failure instanceof ApiError ? failure.retryAfterMs : undefined,
        );
        this.emit({ type: 'retrying', submission, error: failure, attempt, delayMs });
        await this.sleep(delayMs);
      }
    }
  }

  /** Settles through the lookup the stored submissions that the server already holds. */
  private async settleStored(stored: QueuedSubmission[]): Promise<void> {
    const byPlayer = new Map<string | undefined, QueuedSubmission[]>();
    for (const submission of stored) {
      const group = byPlayer.get(submission.userId) ?? [];
      group.push(submission);
      byPlayer.set(submission.userId, group);
    }
    for (const [userId, group] of byPlayer) {
      for (let from = 0; from < group.length; from += LOOKUP_BATCH) {
        const batch = group.slice(from, from + LOOKUP_BATCH);
        let answer;
        try {
          answer = await this.http.request<ScoreLookupDto>('POST', '/api/scores/lookup', {
            idempotency_keys: batch.map((submission) => submission.key),
            ...(userId === undefined ? {} : { user_id: userId }),
          });
        } catch {
          // Sending them again is as safe (their keys make it a replay), only slower.
          return;
        }
        for (const [index, item] of answer.body.items.entries()) {
          const submission = batch[index];
          if (!submission || !item.score) continue;
          this.forget(submission);
          this.emit({ type: 'replayed', submission, score: item.score });
        }
      }
    }
  }

  /**
   * Drops an answered submission. The store's removal is not waited for before the next send (a
   * removal lost in a crash costs one lookup after the restart, nothing more); whenEmpty and stop
   * wait for them.
   */
  private forget(submission: QueuedSubmission): void {
    const index = this.pendingEntries.indexOf(submission);
    if (index >= 0) this.pendingEntries.splice(index, 1);
    const removal = this.store.remove(submission.key).catch(() => undefined);
    this.removals.add(removal);
    void removal.finally(() => this.removals.delete(removal));
  }

  private async removalsDone(): Promise<void> {
    while (this.removals.size > 0) await Promise.all(this.removals);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
