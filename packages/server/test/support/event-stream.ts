export type StreamEvent = { type: string; data: any };

/**
 * Reads GET /api/stream as a browser's streaming fetch would, parsing Server-Sent Events as they
 * arrive.
 */
export class EventStreamClient {
  readonly events: StreamEvent[] = [];
  private readonly controller = new AbortController();
  private readonly done: Promise<void>;
  status = 0;

  private constructor(response: Response) {
    this.status = response.status;
    this.done = this.read(response.body!).catch(() => undefined);
  }

  static async open(baseUrl: string, token: string): Promise<EventStreamClient> {
    const controller = new AbortController();
    const response = await fetch(`${baseUrl}/api/stream`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    const client = new EventStreamClient(response);
    client.controller.signal.addEventListener('abort', () => controller.abort());
    return client;
  }

  /** Waits for an event of `type` (after those already seen, if `after` is given) matching `match`. */
  async next(
    type: string,
    match: (data: any) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<StreamEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find((event) => event.type === type && match(event.data));
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `No ${type} event matched; got ${JSON.stringify(this.events.map((e) => e.type))}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async close(): Promise<void> {
    this.controller.abort();
    await this.done;
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
        if (data.length > 0) this.events.push({ type, data: JSON.parse(data.join('\n')) });
      }
    }
  }
}
