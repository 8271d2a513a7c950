import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { makeAdmin } from './support/cli';
import { PrivatePostgres } from './support/private-postgres';
import { startTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';

/**
 * DATABASE_READ_URL over real streaming replication: a private primary and a hot standby copied
 * from it with pg_basebackup. Pausing the standby's WAL replay makes it lag on purpose, which shows
 * which reads it serves.
 */
/**
 * The machine's PostgreSQL installation (Debian's, the newest there is): the embedded package's
 * binaries lack pg_basebackup.
 */
const REPLICATION_BINARIES = debianPostgresBinaries();

function debianPostgresBinaries(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((version) => existsSync(join(root, version, 'bin', 'pg_basebackup')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(`No PostgreSQL server with pg_basebackup under ${root} (Debian's postgresql)`);
  }
  return join(root, versions[0]!, 'bin');
}

let primary: PrivatePostgres;
let replica: PrivatePostgres;
let app: TestApp;
let api: ApiClient;
let admin: { token: string };

beforeAll(async () => {
  primary = await PrivatePostgres.start({ binDir: REPLICATION_BINARIES });
  replica = await PrivatePostgres.startReplicaOf(primary);
  app = await startTestApp(
    'read_replica',
    { DATABASE_READ_URL: replica.url },
    { url: primary.url, name: 'postgres', drop: async () => undefined },
  );
  api = new ApiClient(app.baseUrl);
  await waitFor(async () => (await readiness()).body.checks.database_read === 'up', {
    timeoutMs: 60_000,
    what: 'the read replica to be connected',
  });
  const signedUp = await api.signup();
  await makeAdmin(app, signedUp.email);
  admin = signedUp;
}, 180_000);

afterAll(async () => {
  await app?.close();
  await replica?.destroy();
  await primary?.destroy();
});

async function onReplica<T = Record<string, unknown>>(sql: string, params: unknown[] = []) {
  const client = new Client({ connectionString: replica.url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

const readiness = () => api.request('GET', '/api/health/ready');

/** Every score applied on the primary. */
const settled = () =>
  waitFor(
    async () =>
      (
        await app.sql<{ n: string }>('SELECT count(*) AS n FROM scores WHERE applied_at IS NULL')
      )[0]!.n === '0',
    { what: 'every score applied' },
  );

/** The replica has replayed everything the primary has written so far. */
async function caughtUp(): Promise<void> {
  const [current] = await app.sql<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  await waitFor(
    async () =>
      (
        await onReplica<{ done: boolean }>(
          'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done',
          [current!.lsn],
        )
      )[0]!.done,
    { what: 'the replica to catch up' },
  );
}

/** Stops the replica's WAL replay (it still receives WAL) while `work` runs, then resumes it. */
async function whileReplayPaused(work: () => Promise<void>): Promise<void> {
  await onReplica('SELECT pg_wal_replay_pause()');
  await waitFor(
    async () =>
      (await onReplica<{ state: string }>('SELECT pg_get_wal_replay_pause_state() AS state'))[0]!
        .state === 'paused',
    { what: 'WAL replay to pause' },
  );
  try {
    await work();
  } finally {
    await onReplica('SELECT pg_wal_replay_resume()');
  }
}

const scoresOf = (items: Array<{ user_id: string; high_score: number }>) =>
  items.map((item) => [item.user_id, item.high_score]);

async function publicPages() {
  const [global, board, periods] = await Promise.all([
    api.request('GET', '/api/leaderboard'),
    api.request('GET', '/api/boards/global/leaderboard'),
    api.request('GET', '/api/boards/global/periods'),
  ]);
  for (const page of [global, board, periods]) expect(page.status).toBe(200);
  return {
    global: scoresOf(global.body.items),
    board: scoresOf(board.body.items),
    archive: scoresOf(periods.body.items[0].top),
  };
}

describe('with DATABASE_READ_URL', () => {
  it('serves public leaderboard pages and period archives from the replica, and /me from the primary', async () => {
    const first = await api.signup();
    const second = await api.signup();
    expect((await api.submitScore(first.token, 10)).status).toBe(201);
    await settled();
    await caughtUp();
    const before = [[first.user.id, 10]];
    expect(await publicPages()).toEqual({ global: before, board: before, archive: before });

    await whileReplayPaused(async () => {
      expect((await api.submitScore(first.token, 90)).status).toBe(201);
      expect((await api.submitScore(second.token, 70)).status).toBe(201);
      await settled();
      // The public pages lag with the replica...
      expect(await publicPages()).toEqual({ global: before, board: before, archive: before });
      // ...while a player sees their own new score at once.
      const mine = await api.request('GET', '/api/leaderboard/me', { token: first.token });
      expect(mine.body.rank).toBe(1);
      expect(scoresOf(mine.body.items)).toEqual([
        [first.user.id, 90],
        [second.user.id, 70],
      ]);
      const theirs = await api.request('GET', '/api/boards/global/leaderboard/me', {
        token: second.token,
      });
      expect(theirs.body.rank).toBe(2);
    });

    await caughtUp();
    const after = [
      [first.user.id, 90],
      [second.user.id, 70],
    ];
    expect(await publicPages()).toEqual({ global: after, board: after, archive: after });
  });

  it('reads a board the replica does not hold yet from the primary, rather than answering 404', async () => {
    const id = `fresh-${randomUUID().slice(0, 8)}`;
    await whileReplayPaused(async () => {
      const created = await api.request('POST', '/api/admin/boards', {
        token: admin.token,
        body: { id, name: 'Fresh' },
      });
      expect(created.status).toBe(201);
      expect(await onReplica('SELECT 1 FROM boards WHERE id = $1', [id])).toEqual([]);
      const page = await api.request('GET', `/api/boards/${id}/leaderboard`);
      expect(page.status).toBe(200);
      expect(page.body.period.id).toBe(created.body.current_period.id);
      const periods = await api.request('GET', `/api/boards/${id}/periods`);
      expect(periods.status).toBe(200);
      expect(periods.body.items.map((p: { id: string }) => p.id)).toEqual([
        created.body.current_period.id,
      ]);
      const byId = await api.request(
        'GET',
        `/api/boards/${id}/leaderboard?period=${created.body.current_period.id}`,
      );
      expect(byId.status).toBe(200);
      expect((await api.request('GET', '/api/boards/no-such-board/leaderboard')).status).toBe(404);
    });
  });

  it('creates a current period the replica lacks on the primary, never on the replica', async () => {
    const id = `unread-${randomUUID().slice(0, 8)}`;
    // A board no read has needed a period of yet: the replica holds it, with no period. Archived,
    // so that the worker's upkeep (which makes the current period of every active board, once a
    // second) leaves it alone; its leaderboard can still be read.
    await app.sql(`INSERT INTO boards (id, name, archived) VALUES ($1, 'Unread', true)`, [id]);
    await caughtUp();
    expect(await onReplica('SELECT 1 FROM boards WHERE id = $1', [id])).toHaveLength(1);
    await whileReplayPaused(async () => {
      const page = await api.request('GET', `/api/boards/${id}/leaderboard`);
      expect(page.status).toBe(200);
      const [created] = await app.sql<{ id: string }>(
        'SELECT id::text FROM board_periods WHERE board_id = $1',
        [id],
      );
      expect(page.body.period.id).toBe(created!.id);
      expect(await onReplica('SELECT 1 FROM board_periods WHERE board_id = $1', [id])).toEqual([]);
    });
  });

  it('answers the write routes with 2xx: none of them reads or writes on the replica', async () => {
    const player = await api.signup();
    const login = await api.request('POST', '/api/auth/login', {
      body: { email: player.email, password: player.password },
    });
    const id = `written-${randomUUID().slice(0, 8)}`;
    const answers = {
      login,
      score: await api.submitScore(player.token, 42),
      me: await api.request('GET', '/api/me', { token: player.token }),
      createBoard: await api.request('POST', '/api/admin/boards', {
        token: admin.token,
        body: { id, name: 'Written' },
      }),
      changeBoard: await api.request('PATCH', `/api/admin/boards/${id}`, {
        token: admin.token,
        body: { name: 'Rewritten' },
      }),
      boardScore: await api.request('POST', '/api/scores', {
        token: player.token,
        body: { value: 7, idempotency_key: randomUUID(), board: id },
      }),
      apiKey: await api.request('POST', '/api/admin/api-keys', {
        token: admin.token,
        body: { name: 'replica test', scopes: ['scores:write'] },
      }),
    };
    for (const [route, { status, body }] of Object.entries(answers)) {
      expect(status, `${route}: ${JSON.stringify(body)}`).toBeGreaterThanOrEqual(200);
      expect(status, `${route}: ${JSON.stringify(body)}`).toBeLessThan(300);
    }
    await settled();
  });

  it('answers public pages from the primary while the replica is down, and readiness says so', async () => {
    await replica.stop();
    try {
      const ready = await readiness();
      expect(ready.status).toBe(200);
      expect(ready.body.checks).toMatchObject({
        database: 'up',
        migrations: 'up',
        database_read: 'down',
      });
      const [expected] = await app.sql<{ n: string }>(
        `SELECT count(*)::text AS n FROM user_stats s JOIN board_periods p ON p.id = s.period_id
          WHERE p.board_id = 'global' AND s.ranked`,
      );
      const page = await api.request('GET', '/api/leaderboard');
      expect(page.status).toBe(200);
      expect(page.body.total_players).toBe(Number(expected!.n));
      expect((await api.request('GET', '/api/boards/global/periods')).status).toBe(200);
    } finally {
      await replica.start();
    }
    await waitFor(async () => (await readiness()).body.checks.database_read === 'up', {
      what: 'the replica to be back',
    });
    expect((await api.request('GET', '/api/boards/global/leaderboard')).status).toBe(200);
  });
});
