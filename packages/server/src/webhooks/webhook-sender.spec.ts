import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config';
import { signatureHeader, WebhookSender } from './webhook-sender';

/**
 * One attempt against real HTTP servers on loopback (so WEBHOOK_ALLOW_PRIVATE=true, except where
 * the refusal itself is tested): what is sent, and what an answer, a redirect, a flood or silence
 * come to.
 */
const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

type Received = { headers: http.IncomingHttpHeaders; body: string };

/** A server on a free loopback port; `handle` answers, every request is recorded. */
async function serve(
  handle: (request: http.IncomingMessage, response: http.ServerResponse) => void,
): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      handle(request, response);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

function sender(env: Record<string, string> = {}): WebhookSender {
  const config = loadConfig({
    DATA_DIR: mkdtempSync(join(tmpdir(), 'scoreboard-sender-')),
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WEBHOOK_TIMEOUT_MS: '2000',
    ...env,
  });
  return new WebhookSender(config);
}

describe('WebhookSender', () => {
  it('POSTs the body as JSON, signed over "<t>.<body>", with the extra headers', async () => {
    const receiver = await serve((_, response) => response.writeHead(204).end());
    const body = JSON.stringify({ id: 'evt-1', type: 'score.applied' });

    const outcome = await sender().send(receiver.url, 'whsec_test', body, {
      'scoreboard-event': 'score.applied',
    });

    expect(outcome).toEqual({ kind: 'delivered', statusCode: 204 });
    const [request] = receiver.received;
    expect(request!.body).toBe(body);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['scoreboard-event']).toBe('score.applied');
    const signature = String(request!.headers['scoreboard-signature']);
    const t = Number(/^t=(\d+),v1=[0-9a-f]{64}$/.exec(signature)?.[1]);
    expect(Math.abs(t - Date.now() / 1000)).toBeLessThan(60);
    expect(signature).toBe(signatureHeader('whsec_test', body, t));
  });

  it('does not follow a redirect: a 3xx is an answer to retry, and its target gets nothing', async () => {
    const target = await serve((_, response) => response.writeHead(200).end());
    const redirecting = await serve((_, response) =>
      response.writeHead(307, { location: target.url }).end(),
    );

    const outcome = await sender().send(redirecting.url, 'secret', '{}', {});

    expect(outcome).toEqual({ kind: 'retry', statusCode: 307, error: 'answered 307' });
    expect(redirecting.received).toHaveLength(1);
    expect(target.received).toHaveLength(0);
  });

  it('reads at most 64 KB of an answer: an endless one ends the attempt, with its status', async () => {
    let written = 0;
    let closed: () => void;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    const flooding = await serve((_, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(16 * 1024, 'x');
      const pump = () => {
        while (!response.destroyed) {
          written += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
      };
      response.on('close', () => closed());
      pump();
    });

    // A timeout far beyond the test's own: only the size limit can end this attempt in time.
    const outcome = await sender({ WEBHOOK_TIMEOUT_MS: '60000' }).send(flooding.url, 's', '{}', {});

    expect(outcome).toEqual({ kind: 'delivered', statusCode: 200 });
    // The sender drops the connection once it has read more than 64 KB (without that, this
    // never resolves: the answer has no end).
    await connectionClosed;
    // What it wrote is what the kernel's socket buffers took, not an endless stream.
    expect(written).toBeLessThan(16 * 1024 * 1024);
  }, 20_000);

  it('gives up on a receiver that does not answer within WEBHOOK_TIMEOUT_MS, to retry later', async () => {
    const silent = await serve(() => {
      // Never answers.
    });
    const started = Date.now();

    const outcome = await sender({ WEBHOOK_TIMEOUT_MS: '300' }).send(silent.url, 's', '{}', {});

    expect(outcome).toEqual({ kind: 'retry', statusCode: null, error: 'no answer within 300 ms' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('calls a refused connection a retry (the receiver may be back later)', async () => {
    const gone = await serve((_, response) => response.end());
    const [server] = servers.splice(0);
    await new Promise<void>((resolve) => server!.close(() => resolve()));

    const outcome = await sender().send(gone.url, 's', '{}', {});

    expect(outcome).toMatchObject({ kind: 'retry', statusCode: null });
  });

  it('refuses loopback and private addresses without connecting unless WEBHOOK_ALLOW_PRIVATE=true', async () => {
    const receiver = await serve((_, response) => response.writeHead(200).end());
    const strict = sender({ WEBHOOK_ALLOW_PRIVATE: 'false' });

    const byAddress = await strict.send(receiver.url, 's', '{}', {});
    const byName = await strict.send(receiver.url.replace('127.0.0.1', 'localhost'), 's', '{}', {});

    expect(byAddress).toEqual({
      kind: 'refused',
      error: '127.0.0.1 is a loopback, private, link-local or reserved address',
    });
    expect(byName).toMatchObject({ kind: 'refused' });
    expect((byName as { error: string }).error).toMatch(/^localhost resolves to .*, a loopback/);
    expect(receiver.received).toHaveLength(0);
  });
});
