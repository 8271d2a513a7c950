/** Sent after a score commits: "this score awaits applying". PostgreSQL holds the rest. */
export type ScoreEvent = { scoreId: string; userId: string };

/** One received event; `receipt` identifies it for acknowledging. */
export type Delivery = { event: ScoreEvent; receipt: string };

/**
 * How score events travel from the API to workers: Redis Streams with a consumer group when
 * REDIS_URL is set, an in-process queue otherwise (see EventsModule). Delivery is at least once;
 * the worker makes the effect exactly once.
 */
export abstract class ScoreEventTransport {
  abstract publish(event: ScoreEvent): Promise<void>;
  /** Waits up to `waitMs` for events; returns at most `max` of them, possibly none. */
  abstract receive(max: number, waitMs: number): Promise<Delivery[]>;
  abstract ack(deliveries: Delivery[]): Promise<void>;
  abstract close(): Promise<void>;
}
