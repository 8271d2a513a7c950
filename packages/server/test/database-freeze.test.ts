import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAcknowledgedScoresApplied } from './support/acknowledged-scores';
import { ApiClient, type ApiResponse } from './support/api-client';
import { PrivatePostgres } from './support/private-postgres';
import { freePort, runNode, type NodeProcess } from './support/processes';
import { waitFor, waitForProcess } from './support/wait-for';

/**
 * The server process over a PostgreSQL cluster of the test's own, which the test freezes
 * (SIGSTOP on the postmaster and every backend): connections stay open and nothing answers, so
 * the server's statement_timeout cannot fire. Every request must still answer within the
 * statement timeout and a small margin, and nothing acknowledged may be lost or doubled.
 */
const STATEMENT_TIMEOUT_MS = 2000;
/** The client's query timeout is 500 ms above the statement timeout; the rest is this machine. */
const ANSWER_WITHIN_MS = STATEMENT_TIMEOUT_MS + 2000;
/** The freeze lasts several statement timeouts: long enough to show no request waits for it. */
const FROZEN_FOR_MS = 4 * STATEMENT_TIMEOUT_MS;

let postgres: PrivatePostgres;
let server: NodeProcess;
let api: ApiClient;
let dataDir: string;

beforeAll(async () => {
  postgres = await PrivatePostgres.start();
  dataDir = mkdtempSync(join(tmpdir(), 'scoreboard-freeze-'));
  const port = await freePort();
  server = runNode('main.js', {
    DATABASE_URL: postgres.url,
    DATA_DIR: dataDir,
    PORT: String(port),
    SWEEP_DELAY_MS: '1000',
    SWEEP_INTERVAL_MS: '200',
    DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
    DB_POOL_ACQUIRE_TIMEOUT_MS: '1000',
    LOG_LEVEL: 'error',
  });
  api = new ApiClient(`http://127.0.0.1:${port}`);
  await waitForProcess(server, `${api.baseUrl}/api/health/ready`, {
    what: 'the server to be ready',
  });
});
afterAll(async () => {
  postgres?.thaw();
  await server?.stop();
  await postgres?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

type Timed = { response: ApiResponse; startedAt: number; ms: number };

/** A request and how long its answer took (a request never answered fails the test). */
async function timed(send: () => Promise<ApiResponse>): Promise<Timed> {
  const startedAt = Date.now();
  const response = await send();
  return { response, startedAt, ms: Date.now() - startedAt };
}

function expectUnavailable({ response }: Timed): void {
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toBe('2');
  expect(response.body).toEqual({
    statusCode: 503,
    error: 'Service Unavailable',
    message: 'The database is unavailable or too slow; try again shortly',
  });
}

describe('while PostgreSQL is frozen', () => {
  it('answers every request within the statement timeout and a margin, 503 where the database is needed, and keeps each acknowledged score exactly once', async () => {
    const players = await Promise.all(Array.from({ length: 6 }, () => api.signup()));
    const acknowledged = new Map<string, number>();
    const answers: Timed[] = [];
    let stop = false;
    // Clients retry what was not acknowledged with the same key until it is, as the dashboard does.
    const clients = players.map(async ({ token }) => {
      while (!stop) {
        const key = randomUUID();
        const value = acknowledged.size % 101;
        for (;;) {
          const answer = await timed(() => api.submitScore(token, value, key));
          answers.push(answer);
          if (answer.response.status === 201) {
            acknowledged.set(answer.response.body.id, answer.response.body.value);
            break;
          }
        }
      }
    });

    await waitFor(() => acknowledged.size >= 50, { timeoutMs: 60_000, what: 'submissions' });
    const { token } = players[0]!;
    postgres.freeze();
    const frozen = { from: Date.now(), to: Infinity };
    const reads = await Promise.all([
      timed(() => api.request('GET', '/api/me/stats', { token })),
      timed(() => api.request('GET', '/api/leaderboard')),
      timed(() => api.request('GET', '/api/me/scores', { token })),
    ]);
    const failedWhileFrozen = () =>
      answers.filter((a) => a.startedAt >= frozen.from && a.response.status === 503).length;
    await waitFor(
      () => failedWhileFrozen() >= 3 * players.length && Date.now() - frozen.from >= FROZEN_FOR_MS,
      { timeoutMs: 60_000, what: 'submissions to be refused while PostgreSQL is frozen' },
    );
    const ready = await timed(() => api.request('GET', '/api/health/ready'));
    const live = await timed(() => api.request('GET', '/api/health/live'));
    postgres.thaw();
    frozen.to = Date.now();

    const afterThaw = acknowledged.size;
    await waitFor(() => acknowledged.size >= afterThaw + 50, {
      timeoutMs: 60_000,
      what: 'submissions after the thaw',
    });
    stop = true;
    await Promise.all(clients);

    for (const read of reads) expectUnavailable(read);
    expect(ready.response.status).toBe(503);
    expect(live.response.status).toBe(200);
    const sentAndAnsweredWhileFrozen = answers.filter(
      (a) => a.startedAt >= frozen.from && a.startedAt + a.ms < frozen.to,
    );
    expect(sentAndAnsweredWhileFrozen.length).toBeGreaterThanOrEqual(3 * players.length);
    for (const answer of sentAndAnsweredWhileFrozen) expectUnavailable(answer);
    const slowest = Math.max(...[...answers, ...reads, ready, live].map((a) => a.ms));
    expect(slowest).toBeLessThan(ANSWER_WITHIN_MS);
    expect(server.child.exitCode).toBeNull();

    await expectAcknowledgedScoresApplied(postgres, acknowledged);
    const [counted] = await postgres.query<{ total: number }>(
      'SELECT count(*)::int AS total FROM scores',
    );
    expect(counted!.total).toBe(acknowledged.size);
  }, 180_000);
});
