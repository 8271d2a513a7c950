import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { EventStreamClient } from './support/event-stream';
import { freePort, PrivateRedis, runNode, type NodeProcess } from './support/processes';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { TEST_JWT_SECRET } from './support/test-app';
import { waitFor, waitForProcess, waitForProgress } from './support/wait-for';

/**
 * API_PROCESSES=2: one command, a primary and two HTTP processes sharing the port, the worker loops
 * in one of them. Real processes over a test database and a private Redis.
 */
const START_TIMEOUT_MS = 4 * 60_000;
const TEST_TIMEOUT_MS = 5 * 60_000;

let database: TestDatabase;
let redis: PrivateRedis;
let sql: Client;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  database = await createTestDatabase('api_processes');
  redis = await PrivateRedis.start();
  sql = new Client({ connectionString: database.url });
}, START_TIMEOUT_MS);
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await sql.end().catch(() => undefined);
  await redis?.destroy();
  await database?.drop();
});

type Cluster = { server: NodeProcess; api: ApiClient; port: number; dataDir: string };

/** The primary started (its HTTP processes still starting), with its cleanup registered. */
async function launchCluster(
  env: Record<string, string> = {},
): Promise<{ server: NodeProcess; port: number; dataDir: string }> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'scoreboard-api-processes-'));
  const server = runNode('main.js', {
    API_PROCESSES: '2',
    DATABASE_URL: database.url,
    ...redis.env,
    REDIS_KEY_PREFIX: `test-${randomUUID()}:`,
    JWT_SECRET: TEST_JWT_SECRET,
    DATA_DIR: dataDir,
    PORT: String(port),
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    ...env,
  });
  cleanups.push(async () => {
    await server.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { server, port, dataDir };
}

/** A primary whose two HTTP processes both listen. */
async function startCluster(env: Record<string, string> = {}): Promise<Cluster> {
  const { server, port, dataDir } = await launchCluster(env);
  const api = new ApiClient(`http://127.0.0.1:${port}`);
  await waitForProcess(server, `${api.baseUrl}/api/health/ready`, {
    what: 'the first HTTP process to be ready',
    timeoutMs: START_TIMEOUT_MS,
  });
  await waitFor(() => /"msg":"Ready: http:[^"]* served by 2 processes"/.test(server.output()), {
    what: 'both HTTP processes to listen',
    timeoutMs: START_TIMEOUT_MS,
  });
  return { server, api, port, dataDir };
}

/**
 * A connection the primary hands to a process at the moment it dies is neither answered nor closed
 * (Node's cluster loses it): a client's timeout ends it, as this one does.
 */
const REQUEST_TIMEOUT_MS = 2000;

/** The pid of the process that answers, on a connection of its own (so each may go elsewhere). */
function answeringPid(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/api/health/live', agent: false },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve((JSON.parse(text) as { pid: number }).pid)
            : reject(new Error(`answered ${res.statusCode}`)),
        );
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('no answer')));
    req.on('error', reject);
    req.end();
  });
}

/** GET /metrics on a connection of its own. */
function scrape(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(text) : reject(new Error(`answered ${res.statusCode}`)),
      );
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('no answer')));
    req.on('error', reject);
    req.end();
  });
}

/** Asks on fresh connections until `count` different processes have answered. */
async function answeringPids(port: number, count: number): Promise<Set<number>> {
  const pids = new Set<number>();
  await waitFor(
    async () => {
      pids.add(await answeringPid(port));
      return pids.size >= count;
    },
    { what: `${count} processes to answer`, intervalMs: 10 },
  );
  return pids;
}

/** The pid of the HTTP process that logged its start with this role description. */
function pidsStartedAs(output: string, role: 'API and worker' | 'API only'): number[] {
  return output
    .split('\n')
    .filter((line) => line.includes(`"msg":"Scoreboard starting (${role}`))
    .map((line) => (JSON.parse(line) as { pid: number }).pid);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function expectEveryScoreAppliedOnce(expected: Map<string, number[]>): Promise<void> {
  await waitForProgress(
    async () => {
      const { rows } = await sql.query<{ applied: string; pending: string }>(
        `SELECT count(*) FILTER (WHERE applied_at IS NOT NULL) AS applied,
                count(*) FILTER (WHERE applied_at IS NULL) AS pending FROM scores`,
      );
      return { done: rows[0]!.pending === '0', count: Number(rows[0]!.applied) };
    },
    { what: 'every score to be applied', counter: 'applied scores' },
  );
  const { rows } = await sql.query<{ user_id: string; total_scores: string; sum_scores: string }>(
    `SELECT user_id::text, total_scores, sum_scores FROM user_stats
      WHERE board_id = 'global' AND user_id = ANY($1::bigint[])`,
    [[...expected.keys()]],
  );
  expect(
    Object.fromEntries(
      rows.map((row) => [row.user_id, [Number(row.total_scores), Number(row.sum_scores)]]),
    ),
  ).toEqual(
    Object.fromEntries(
      [...expected].map(([userId, values]) => [
        userId,
        [values.length, values.reduce((sum, value) => sum + value, 0)],
      ]),
    ),
  );
}

describe('API_PROCESSES=2', { timeout: TEST_TIMEOUT_MS }, () => {
  beforeAll(() => sql.connect());

  it('answers from two processes, runs the worker in exactly one, and applies every score once', async () => {
    const { server, api, port } = await startCluster();
    const pids = await answeringPids(port, 2);
    expect(pids.has(server.child.pid!)).toBe(false);
    const withWorker = pidsStartedAs(server.output(), 'API and worker');
    const apiOnly = pidsStartedAs(server.output(), 'API only');
    expect(withWorker).toHaveLength(1);
    expect(apiOnly).toHaveLength(1);
    expect(new Set([...withWorker, ...apiOnly])).toEqual(pids);

    // Concurrent submissions spread over connections, so over both processes.
    const players = await Promise.all([1, 2, 3, 4].map(() => api.signup()));
    const expected = new Map<string, number[]>();
    await Promise.all(
      players.flatMap((player) =>
        Array.from({ length: 10 }, async (_, i) => {
          const value = (i * 7 + 3) % 100;
          const response = await api.submitScore(player.token, value);
          expect(response.status).toBe(201);
          expected.set(player.user.id, [...(expected.get(player.user.id) ?? []), value]);
        }),
      ),
    );
    await expectEveryScoreAppliedOnce(expected);

    // GET /metrics counts the host, whichever process takes the scrape.
    for (let i = 0; i < 4; i++) {
      const text = await scrape(port);
      expect(text).toMatch(/^scoreboard_scores_accepted_total 40$/m);
    }
  });

  it('pushes live updates to streams on either process and caps them per user across both', async () => {
    const { api } = await startCluster({ STREAM_MAX_PER_USER: '2' });
    const { token } = await api.signup();
    // The primary deals new connections in turn: two streams opened one after the other are on
    // the two processes, whichever applies the score.
    const streams: EventStreamClient[] = [];
    cleanups.push(async () => {
      for (const stream of streams) await stream.close();
    });
    for (let i = 0; i < 2; i++) {
      const stream = await EventStreamClient.open(api.baseUrl, token);
      streams.push(stream);
      expect(stream.status).toBe(200);
      await stream.next('stats');
    }
    const third = await EventStreamClient.open(api.baseUrl, token);
    streams.push(third);
    expect(third.status).toBe(429);

    expect((await api.submitScore(token, 42)).status).toBe(201);
    await Promise.all(
      streams.slice(0, 2).map((stream) => stream.next('stats', (data) => data.total_scores === 1)),
    );
  });

  it('replaces a process killed outright, in its role, while the other keeps answering', async () => {
    const { server, api, port } = await startCluster();
    const [doomed] = pidsStartedAs(server.output(), 'API and worker');
    const [survivor] = pidsStartedAs(server.output(), 'API only');
    process.kill(doomed!, 'SIGKILL');
    const killedAt = Date.now();

    // Every request from now on is answered: those that reached the dead process failed with it.
    let lastFailureAt: number | undefined;
    const seen = new Set<number>();
    await waitFor(
      async () => {
        try {
          seen.add(await answeringPid(port));
        } catch {
          lastFailureAt = Date.now();
        }
        return [...seen].some((pid) => pid !== survivor && pid !== doomed);
      },
      { what: 'a new process to answer', timeoutMs: START_TIMEOUT_MS, intervalMs: 10 },
    );
    if (lastFailureAt !== undefined) {
      expect(lastFailureAt - killedAt).toBeLessThan(REQUEST_TIMEOUT_MS + 1000);
    }
    expect(seen.has(doomed!)).toBe(false);
    expect(isRunning(doomed!)).toBe(false);

    // The replacement took the dead process's role: scores accepted by either are applied.
    const replacements = pidsStartedAs(server.output(), 'API and worker');
    expect(replacements).toHaveLength(2);
    expect(pidsStartedAs(server.output(), 'API only')).toEqual([survivor]);
    const player = await api.signup();
    const values = [11, 22, 33, 44, 55, 66];
    for (const value of values)
      expect((await api.submitScore(player.token, value)).status).toBe(201);
    await expectEveryScoreAppliedOnce(new Map([[player.user.id, values]]));
  });

  it('replaces a process killed before it listened, instead of giving up on the start', async () => {
    const { server, port } = await launchCluster();
    const [doomed] = await waitFor(
      () => {
        const pids = pidsStartedAs(server.output(), 'API only');
        return pids.length > 0 ? pids : undefined;
      },
      { what: 'the second HTTP process to start', timeoutMs: START_TIMEOUT_MS, intervalMs: 5 },
    );
    // Killed while it starts (its application takes seconds to build), before it listens (the
    // first process may already be ready: the two start one after the other).
    const readyLines = () =>
      server
        .output()
        .split('\n')
        .filter((line) => line.includes('"msg":"Ready: http:'));
    expect(readyLines().filter((line) => line.includes(`"pid":${doomed},`))).toEqual([]);
    expect(readyLines().filter((line) => line.includes('served by 2 processes'))).toEqual([]);
    process.kill(doomed!, 'SIGKILL');

    const gaveUp = server.exited.then((code) => {
      throw new Error(`The primary exited (${code}):\n${server.output().slice(-2000)}`);
    });
    await Promise.race([
      gaveUp,
      waitFor(() => /"msg":"Ready: http:[^"]* served by 2 processes"/.test(server.output()), {
        what: 'a replacement and the first process to listen',
        timeoutMs: START_TIMEOUT_MS,
      }),
    ]);
    gaveUp.catch(() => undefined); // the cleanup's SIGKILL ends it later
    expect(server.output()).not.toContain('failed to start');
    const replacements = pidsStartedAs(server.output(), 'API only');
    expect(replacements).toHaveLength(2);
    expect(await answeringPids(port, 2)).toEqual(
      new Set([replacements[1], ...pidsStartedAs(server.output(), 'API and worker')]),
    );
  });

  it('drains every process and exits 0 on SIGTERM', async () => {
    const { server, api, port } = await startCluster();
    const pids = await answeringPids(port, 2);
    const player = await api.signup();
    const inFlight = Array.from({ length: 20 }, () =>
      api.submitScore(player.token, 5).then(
        (response) => response.status,
        () => 'no answer',
      ),
    );
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
    // Nothing answered but 201 (no 5xx while draining), and every score answered 201 is stored.
    const outcomes = await Promise.all(inFlight);
    expect(outcomes.filter((outcome) => outcome !== 201 && outcome !== 'no answer')).toEqual([]);
    const { rows } = await sql.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM scores WHERE user_id = $1',
      [player.user.id],
    );
    expect(rows[0]!.n).toBe(outcomes.filter((outcome) => outcome === 201).length);
    expect(server.output()).toContain('"msg":"Stopped"');
  });
});

describe('API_PROCESSES=2 without DATABASE_URL', { timeout: 2 * START_TIMEOUT_MS }, () => {
  it('starts the embedded PostgreSQL once, in the primary, and stops it after the processes', async () => {
    const { server, dataDir } = await startCluster({ DATABASE_URL: '' });
    // The HTTP processes were handed its URL: neither started (or looked for) one of its own.
    const starts = server
      .output()
      .split('\n')
      .filter((line) => line.includes('"msg":"Scoreboard starting ('));
    expect(starts).toHaveLength(2);
    for (const line of starts) expect(line).toContain('PostgreSQL at 127.0.0.1:');
    expect(server.output()).not.toContain('Using the embedded PostgreSQL of process');
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(true);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  });
});
