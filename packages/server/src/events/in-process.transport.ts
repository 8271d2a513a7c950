import { Delivery, ScoreEvent, ScoreEventTransport } from './score-event-transport';

/**
 * The transport without Redis: a queue in this process's memory, for the single all-in-one
 * process. What it holds is lost with the process; the sweeper finds those scores in PostgreSQL.
 */
export class InProcessTransport extends ScoreEventTransport {
  private readonly queue: ScoreEvent[] = [];
  private wakeUp: (() => void) | undefined;
  private closed = false;

  async publish(event: ScoreEvent): Promise<void> {
    this.queue.push(event);
    this.wakeUp?.();
  }

  async receive(max: number, waitMs: number): Promise<Delivery[]> {
    if (this.queue.length === 0 && !this.closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
    return this.queue.splice(0, max).map((event) => ({ event, receipt: event.scoreId }));
  }

  async ack(): Promise<void> {
    // Nothing to do: an event leaves the queue when it is received.
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeUp?.();
  }
}
