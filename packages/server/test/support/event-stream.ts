export type StreamEvent = { type: string; data: any };

/**
 * Reads GET /api/stream as a browser's streaming fetch would, parsing Server-Sent Events as they
 * arrive.
 */
export class EventStreamClient {
  readonly events: StreamEvent[] = [];
  private readonly controller = new AbortController();
  private readonly done: Promise<void>;
  /** Set once the stream has ended (closed by the server, aborted or broken). */
  private ended: string | undefined;
  /** Called on every new event and when the stream ends. */
  private readonly listeners = new Set<() => void>();
  status = 0;

  private constructor(response: Response) {
    this.status = response.status;
    this.done = this.read(response.body!)
      .then(
        () => this.end('the server closed the stream'),
        (error: Error) => this.end(`the stream broke: ${error.message}`),
      )
      .catch(() => undefined);
  }

  /** `query`: appended to the path, e.g. `?boards=global,speedrun`. */
  static async open(baseUrl: string, token: string, query = ''): Promise<EventStreamClient> {
    const controller = new AbortController();
    const response = await fetch(`${baseUrl}/api/stream${query}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    const client = new EventStreamClient(response);
    client.controller.signal.addEventListener('abort', () => controller.abort());
    return client;
  }

  /**
   * Resolves with the first event (already received or still to come) of `type` matching `match`.
   * Fails at once if the stream ends without one, or after `timeoutMs`.
   */
  next(
    type: string,
    match: (data: any) => boolean = () => true,
    timeoutMs = 30_000,
  ): Promise<StreamEvent> {
    return new Promise((resolve, reject) => {
      const finish = (outcome: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        outcome();
      };
      const seen = () => JSON.stringify(this.events.map((e) => e.type));
      const check = () => {
        const found = this.events.find((event) => event.type === type && match(event.data));
        if (found) finish(() => resolve(found));
        else if (this.ended)
          finish(() =>
            reject(new Error(`No ${type} event matched before ${this.ended}; got ${seen()}`)),
          );
      };
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(new Error(`No ${type} event matched in ${timeoutMs} ms; got ${seen()}`)),
          ),
        timeoutMs,
      );
      this.listeners.add(check);
      check();
    });
  }

  /** Resolves with why the stream ended, once it has; fails after `timeoutMs`. */
  whenEnded(timeoutMs = 30_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!this.ended) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(this.ended);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`The stream did not end in ${timeoutMs} ms`));
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  async close(): Promise<void> {
    this.controller.abort();
    await this.done;
  }

  private end(reason: string): void {
    this.ended ??= reason;
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let type = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) type = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
        }
        if (data.length > 0) {
          this.events.push({ type, data: JSON.parse(data.join('\n')) });
          this.notify();
        }
      }
    }
  }
}
