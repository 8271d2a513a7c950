import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import type { Random } from './random';

/** What the receiver saw of one event id. */
export type ReceivedEvent = { type: string; scoreId: string | null; deliveries: number };

/** The receiver's own faults: a share of requests answered 500, and a share never answered. */
const FAIL_SHARE = 0.1;
const HANG_SHARE = 0.03;

/**
 * The run's webhook receiver: a real HTTP server on 127.0.0.1, registered (before the load
 * starts) for every event type. It checks every signature, records every event id it is sent, and
 * misbehaves on its own, from the seeded generator: some requests are answered 500, some never,
 * so that retries are part of every run.
 */
export class ChaosWebhookReceiver {
  readonly received = new Map<string, ReceivedEvent>();
  badSignatures = 0;
  answered = { ok: 0, failed: 0, hung: 0 };
  private readonly secret = `whsec_${randomBytes(32).toString('base64url')}`;
  private readonly hanging = new Set<ServerResponse>();
  private server: Server | undefined;

  constructor(private readonly random: Random) {}

  async start(databaseUrl: string): Promise<string> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () =>
        this.handle(
          Buffer.concat(chunks).toString('utf8'),
          request.headers['scoreboard-signature'],
          response,
        ),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO webhook_endpoints (url, events, secret)
         VALUES ($1, '{score.applied,period.finalized,player.banned,player.unbanned,score.removed,player.deleted}', $2)`,
        [url, this.secret],
      );
    } finally {
      await client.end();
    }
    return url;
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(body: string, signature: string | string[] | undefined, response: ServerResponse) {
    if (typeof signature !== 'string' || !this.verify(signature, body)) this.badSignatures += 1;
    const roll = this.random.next();
    if (roll < HANG_SHARE) {
      this.answered.hung += 1;
      this.hanging.add(response);
      response.on('close', () => this.hanging.delete(response));
      return;
    }
    if (roll < HANG_SHARE + FAIL_SHARE) {
      this.answered.failed += 1;
      response.statusCode = 500;
      response.end();
      return;
    }
    const event = JSON.parse(body) as { id: string; type: string; data: { score_id?: string } };
    const seen = this.received.get(event.id);
    if (seen) seen.deliveries += 1;
    else {
      this.received.set(event.id, {
        type: event.type,
        scoreId: event.data.score_id ?? null,
        deliveries: 1,
      });
    }
    this.answered.ok += 1;
    response.statusCode = 204;
    response.end();
  }

  private verify(header: string, body: string): boolean {
    const parts = Object.fromEntries(header.split(',').map((part) => part.split('=')));
    const expected = createHmac('sha256', this.secret).update(`${parts.t}.${body}`).digest('hex');
    const given = Buffer.from(String(parts.v1 ?? ''));
    return given.length === expected.length && timingSafeEqual(given, Buffer.from(expected));
  }
}
