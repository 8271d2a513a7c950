import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceivedDelivery = {
  headers: IncomingMessage['headers'];
  body: string;
  event: { id: string; type: string; created_at: string; data: any };
  at: number;
};

/** What the receiver does with a request: answer with a status, or never answer. */
export type Behaviour = (delivery: ReceivedDelivery) => number | 'hang';

/**
 * The verification a receiver does, as the README shows it: recompute the HMAC of "<t>.<body>"
 * with the endpoint's secret, compare in constant time, and refuse old timestamps.
 */
export function verifySignature(
  secret: string,
  header: string | undefined,
  body: string,
  toleranceSeconds = 300,
): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((part) => part.split('=')));
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest('hex');
  const given = Buffer.from(String(parts.v1 ?? ''));
  return (
    given.length === expected.length &&
    timingSafeEqual(given, Buffer.from(expected)) &&
    Math.abs(Date.now() / 1000 - Number(parts.t)) <= toleranceSeconds
  );
}

/**
 * A real HTTP server receiving webhooks on 127.0.0.1: it records every request and answers as
 * `behaviour` says. It can be stopped and started again on the same port (a receiver that is
 * down, then back).
 */
export class WebhookReceiver {
  readonly received: ReceivedDelivery[] = [];
  behaviour: Behaviour = () => 200;
  private server: Server | undefined;
  private port = 0;
  private readonly hanging = new Set<ServerResponse>();

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async start(): Promise<this> {
    const server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.hanging.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Deliveries of events of `type` (in order of arrival). */
  ofType(type: string): ReceivedDelivery[] {
    return this.received.filter((delivery) => delivery.event.type === type);
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const delivery: ReceivedDelivery = {
        headers: request.headers,
        body,
        event: JSON.parse(body),
        at: Date.now(),
      };
      this.received.push(delivery);
      const answer = this.behaviour(delivery);
      if (answer === 'hang') {
        this.hanging.add(response);
        response.on('close', () => this.hanging.delete(response));
        return;
      }
      response.statusCode = answer;
      response.end('ok');
    });
  }
}
