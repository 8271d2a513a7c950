import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, NetworkError } from '../src/errors.js';
import { Http } from '../src/http.js';

/**
 * A real HTTP server: `/echo` answers the request's headers, `/hang` never answers, `/gateway`
 * answers 502 with a gateway's HTML, `/refused` SPEC's error shape with Retry-After.
 */
let server: Server;
let baseUrl: string;
const hanging = new Set<IncomingMessage>();

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/hang') {
      hanging.add(request);
      return;
    }
    if (request.url === '/gateway') {
      response.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad Gateway</h1>');
      return;
    }
    if (request.url === '/refused') {
      const body = { statusCode: 429, error: 'Too Many Requests', message: 'Slow down' };
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' });
      response.end(JSON.stringify(body));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(request.headers));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('Http', () => {
  it('sends the credentials and the extra headers, and no credentials when told not to', async () => {
    const http = new Http({ baseUrl, credentials: { token: () => 'tok' } });
    const sent = await http.request<Record<string, string>>('GET', '/echo', undefined, {
      headers: { 'idempotency-key': 'k1' },
    });
    expect(sent.body).toMatchObject({ authorization: 'Bearer tok', 'idempotency-key': 'k1' });

    const anonymous = await http.request<Record<string, string>>('GET', '/echo', undefined, {
      authenticated: false,
    });
    expect(anonymous.body.authorization).toBeUndefined();
  });

  it('gives up on a request its caller cancels, as on one that outlives the timeout', async () => {
    const http = new Http({ baseUrl, credentials: { apiKey: 'key' }, timeoutMs: 60_000 });
    const cancel = new AbortController();
    const pending = http.request('GET', '/hang', undefined, { signal: cancel.signal });
    await waitUntil(() => hanging.size === 1);
    cancel.abort();
    await expect(pending).rejects.toThrow(new NetworkError('GET /hang: cancelled'));

    const impatient = new Http({ baseUrl, credentials: { apiKey: 'key' }, timeoutMs: 50 });
    await expect(impatient.request('GET', '/hang')).rejects.toThrow(
      new NetworkError('GET /hang: no answer within 50 ms'),
    );
  });

  it('tells an answer in SPEC’s error shape from a gateway’s page', async () => {
    const http = new Http({ baseUrl, credentials: { apiKey: 'key' } });
    const refused = await http.request('GET', '/refused').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 429, retryAfterMs: 3000, transient: true });
    expect((refused as ApiError).body?.message).toBe('Slow down');

    const gateway = await http.request('GET', '/gateway').catch((error: unknown) => error);
    expect(gateway).toMatchObject({ status: 502, body: undefined });
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
