import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ResetSchedule } from '../boards/reset-schedule';
import { createLogger } from '../common/logger';
import { AppConfig } from '../config/app-config';
import { createHttpApp } from '../http-app';
import { ProcessingRepository } from '../processing/processing.repository';
import { UsersRepository } from '../users/users.repository';
import { DemoHistoryRepository, type PastPeriod, type PastScore } from './demo-history.repository';

export const DEMO_PASSWORD = 'scoreboard-demo';

type DemoPlayer = { email: string; name: string; skill: number };
type DemoBoard = {
  id: string;
  reset: string;
  timezone: string;
  /** Scores per player, at most; each plays a share of it. */
  scores: number;
  /** A player's score from their skill (0..1) and a draw (0..1). */
  value(skill: number, draw: number): number;
  /** The context a game sends with some scores (SPEC 2c), from a draw (0..1). */
  metadata?(draw: number): Record<string, unknown> | null;
  /** POST /api/admin/boards; none for `global`, which always exists. */
  create?: Record<string, unknown>;
};

/** How far back the demo's history goes: long enough for weekly boards to have closed. */
const HISTORY_DAYS = 14;
const DAY_MS = 86_400_000;

/** Two Sams on purpose: the dashboard tells equal display names apart. */
const PLAYERS: DemoPlayer[] = [
  { email: 'ada@demo.example', name: 'Ada', skill: 0.9 },
  { email: 'grace@demo.example', name: 'Grace', skill: 0.85 },
  { email: 'alan@demo.example', name: 'Alan', skill: 0.7 },
  { email: 'linus@demo.example', name: 'Linus', skill: 0.6 },
  { email: 'margaret@demo.example', name: 'Margaret', skill: 0.75 },
  { email: 'barbara@demo.example', name: 'Barbara', skill: 0.5 },
  { email: 'sam.k@demo.example', name: 'Sam', skill: 0.4 },
  { email: 'sam.r@demo.example', name: 'Sam', skill: 0.65 },
];
/** The one admin, so that the admin console has someone to show it. */
const ADMIN = PLAYERS[0]!;

const BOARDS: DemoBoard[] = [
  {
    id: 'global',
    reset: 'never',
    timezone: 'UTC',
    scores: 12,
    value: (skill, draw) => Math.round(20 + 60 * skill + 25 * (draw - 0.5)),
  },
  {
    id: 'speedrun',
    reset: 'weekly',
    timezone: 'Europe/Paris',
    scores: 6,
    // Milliseconds, lower is better: a skilled player runs about 3 minutes, a novice 9.
    value: (skill, draw) => Math.round(540_000 - 360_000 * skill + 60_000 * (draw - 0.5)),
    metadata: (draw) =>
      draw < 0.5
        ? { character: ['fox', 'owl', 'hare'][Math.floor(draw * 6)]!, route: 'any%' }
        : null,
    create: {
      id: 'speedrun',
      name: 'Speedrun',
      sort: 'asc',
      score_min: 1,
      score_max: 3_600_000,
      reset: 'weekly',
      timezone: 'Europe/Paris',
      display_format: 'duration:ms',
    },
  },
  {
    id: 'daily-puzzle',
    reset: 'daily',
    timezone: 'UTC',
    scores: 4,
    value: (skill, draw) => Math.round(400 + 500 * skill * draw + 100 * draw),
    create: {
      id: 'daily-puzzle',
      name: 'Daily puzzle',
      sort: 'desc',
      score_min: 0,
      score_max: 1000,
      unit: 'pts',
      reset: 'daily',
      timezone: 'UTC',
    },
  },
  {
    id: 'weekly-points',
    reset: 'weekly',
    timezone: 'UTC',
    scores: 8,
    value: (skill, draw) => Math.round(5 + 40 * skill * draw),
    create: {
      id: 'weekly-points',
      name: 'Points this week',
      ranking: 'sum',
      unit: 'pts',
      score_min: 0,
      score_max: 100,
      reset: 'weekly',
      timezone: 'UTC',
    },
  },
  {
    id: 'games-played',
    reset: 'monthly',
    timezone: 'UTC',
    scores: 10,
    value: (skill, draw) => (draw < 0.3 + 0.5 * skill ? 1 : 0),
    create: {
      id: 'games-played',
      name: 'Games this month',
      ranking: 'count',
      score_min: 0,
      score_max: 1,
      reset: 'monthly',
      timezone: 'UTC',
    },
  },
  {
    id: 'rating',
    reset: 'never',
    timezone: 'UTC',
    scores: 6,
    value: (skill, draw) => Math.round(1000 + 1000 * skill + 200 * (draw - 0.5)),
    metadata: (draw) => ({ opponent: ['Bot', 'Guest', 'Rival'][Math.floor(draw * 3)]! }),
    create: {
      id: 'rating',
      name: 'Rating',
      ranking: 'latest',
      score_min: 0,
      score_max: 3000,
      reset: 'never',
      timezone: 'UTC',
    },
  },
];

export type DemoReport = {
  players: { created: number; existing: number };
  boards: { created: number; existing: number };
  /** skipped: past scores not written, their board having had a past of its own already. */
  scores: { accepted: number; replayed: number; skipped: number };
  lines: string[];
};

/**
 * `scoreboard demo`: demo players, boards and scores, made through the product's own HTTP API
 * (signup, the admin boards route, POST /api/scores with idempotency keys) on a private instance
 * of the app over the configured database, whose worker applies them like any other. The one
 * exception is the past: each player's earlier scores, spread over the last two weeks, are
 * inserted as rows with their times (no route takes a time; see DemoHistoryRepository), into
 * boards whose creation moves back two weeks, and applied by the same worker. Running it again
 * changes nothing: accounts are logged into, boards kept, a board that has a past keeps it, and
 * every score has a fixed idempotency key, so it is answered as a replay.
 */
export async function runDemo(config: AppConfig, publicUrl: string): Promise<DemoReport> {
  // Its own instance on loopback: the signup and rate limits are for the public, not for it.
  const own = new AppConfig({
    ...config,
    role: 'all',
    signupMaxPerHour: 0,
    rateLimitPerMinute: 0,
    logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel,
  });
  const app = await createHttpApp(own, createLogger(own));
  try {
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    const api = new DemoClient(`http://127.0.0.1:${port}`);
    return await populate(app, api, publicUrl);
  } finally {
    await app.close();
  }
}

async function populate(
  app: INestApplication,
  api: DemoClient,
  publicUrl: string,
): Promise<DemoReport> {
  const report: DemoReport = {
    players: { created: 0, existing: 0 },
    boards: { created: 0, existing: 0 },
    scores: { accepted: 0, replayed: 0, skipped: 0 },
    lines: [],
  };
  const accounts = new Map<DemoPlayer, { token: string; id: string }>();
  for (const player of PLAYERS) {
    const { token, id, created } = await api.account(player);
    accounts.set(player, { token, id });
    report.players[created ? 'created' : 'existing'] += 1;
  }
  // Only when needed: a second run writes no second audit log entry.
  if ((await api.role(accounts.get(ADMIN)!.token)) !== 'admin') {
    await app.get(UsersRepository, { strict: false }).setRole(ADMIN.email, 'admin', {
      action: 'users.set-role',
      reason: 'set to admin by the demo command',
    });
  }

  const adminToken = accounts.get(ADMIN)!.token;
  for (const board of BOARDS) {
    if (!board.create) continue;
    const created = await api.createBoard(adminToken, board.create);
    report.boards[created ? 'created' : 'existing'] += 1;
  }

  // Each player's scores spread over the last two weeks, in order, the last one sent now. Draws
  // come from a fixed seed, so a second run makes the same values and keys.
  const history = new DemoHistoryRepository(app.get(DataSource, { strict: false }));
  const now = await history.now();
  const since = new Date(now.getTime() - HISTORY_DAYS * DAY_MS);
  const random = seeded(20261201);
  for (const board of BOARDS) {
    const past: PastScore[] = [];
    const present: Array<{ player: DemoPlayer; score: DemoScore }> = [];
    for (const [index, player] of PLAYERS.entries()) {
      const count = Math.max(2, Math.round(board.scores * (0.4 + 0.6 * random())));
      const times = Array.from({ length: count - 1 }, () => random()).sort((a, b) => a - b);
      for (let n = 1; n <= count; n += 1) {
        const draw = random();
        const score = {
          value: board.value(player.skill, draw),
          board: board.id,
          key: `demo-${board.id}-${index}-${n}`,
          metadata: board.metadata?.(draw) ?? null,
        };
        if (n === count) {
          present.push({ player, score });
          continue;
        }
        // Between `since` and an hour ago, so that every past score is older than the present ones.
        const at = since.getTime() + times[n - 1]! * (HISTORY_DAYS * DAY_MS - 3_600_000);
        past.push({ ...score, userId: accounts.get(player)!.id, createdAt: new Date(at) });
      }
    }
    const { currentStartsAt, periods } = pastPeriods(board, since, now);
    const written = await history.writePast(board.id, since, currentStartsAt, periods, past);
    // A board that already had its past (a second run) keeps it as it is.
    const existing = written === null ? await history.countExisting(past) : past.length - written;
    report.scores.accepted += written ?? 0;
    report.scores.replayed += existing;
    if (written === null) report.scores.skipped += past.length - existing;
    for (const { player, score } of present) {
      const replayed = await api.submit(accounts.get(player)!.token, score);
      report.scores[replayed ? 'replayed' : 'accepted'] += 1;
    }
  }
  await waitUntilApplied(app.get(ProcessingRepository, { strict: false }));

  const others = PLAYERS.filter((player) => player !== ADMIN).map((player) => player.email);
  report.lines = [
    `Demo data: ${PLAYERS.length} players (${report.players.created} new), ` +
      `${BOARDS.length} boards (global, ${BOARDS.filter((b) => b.create)
        .map((b) => b.id)
        .join(', ')}), ` +
      `${report.scores.accepted + report.scores.replayed} scores ` +
      `(${report.scores.accepted} new, ${report.scores.replayed} already there), all applied, ` +
      `over the last ${HISTORY_DAYS} days.`,
    ...(report.scores.skipped > 0
      ? [
          `${report.scores.skipped} past scores were not written: their boards existed ` +
            'before the demo with a past of their own.',
        ]
      : []),
    '',
    `Open ${publicUrl} and log in with the password "${DEMO_PASSWORD}" as`,
    `  ${ADMIN.email}  (an admin: the admin console is at ${publicUrl}/#/admin)`,
    `  or a player: ${others.join(', ')}`,
  ];
  return report;
}

type DemoScore = {
  value: number;
  board: string;
  key: string;
  metadata: Record<string, unknown> | null;
};

/**
 * The board's periods from `since` to `now` as if it had existed since then: the closed ones, cut
 * at its reset instants, and when the current one starts.
 */
function pastPeriods(
  board: DemoBoard,
  since: Date,
  now: Date,
): { currentStartsAt: Date; periods: PastPeriod[] } {
  const schedule = new ResetSchedule(board.reset, board.timezone);
  const fired = schedule.previous(now);
  const currentStartsAt = fired && fired > since ? fired : since;
  const periods: PastPeriod[] = [];
  for (let startsAt = since; startsAt < currentStartsAt;) {
    const next = schedule.next(startsAt);
    const endsAt = next && next < currentStartsAt ? next : currentStartsAt;
    periods.push({ startsAt, endsAt });
    startsAt = endsAt;
  }
  return { currentStartsAt, periods };
}

/**
 * Waits until no score is left to apply, by progress: as long as the count of unapplied scores
 * keeps going down it waits, and gives up after 30 s without any.
 */
async function waitUntilApplied(processing: ProcessingRepository): Promise<void> {
  let best = Number.POSITIVE_INFINITY;
  let lastProgress = Date.now();
  for (;;) {
    const pending = await processing.pendingCount();
    if (pending === 0) return;
    if (pending < best) {
      best = pending;
      lastProgress = Date.now();
    } else if (Date.now() - lastProgress > 30_000) {
      throw new Error(
        `${pending} score(s) still unapplied after 30 s without progress: is a worker running?`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** mulberry32: a small, fixed-seed generator, so that every run draws the same demo. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The few API calls the demo makes; any answer it does not expect stops it with that answer. */
class DemoClient {
  constructor(private readonly baseUrl: string) {}

  /** Signs the player up, or logs in when the account exists. */
  async account(player: DemoPlayer): Promise<{ token: string; id: string; created: boolean }> {
    const credentials = { email: player.email, password: DEMO_PASSWORD };
    const signup = await this.call('POST', '/api/auth/signup', undefined, {
      ...credentials,
      display_name: player.name,
    });
    if (signup.status === 201) return { ...session(signup.body), created: true };
    if (signup.status !== 409) throw unexpected('signup', player.email, signup);
    const login = await this.call('POST', '/api/auth/login', undefined, credentials);
    if (login.status === 200) return { ...session(login.body), created: false };
    if (login.status === 401) {
      throw new Error(
        `${player.email} exists with another password than the demo's: delete that account ` +
          'or use another DATA_DIR / DATABASE_URL',
      );
    }
    throw unexpected('login', player.email, login);
  }

  async role(token: string): Promise<string> {
    const answer = await this.call('GET', '/api/me', token);
    if (answer.status !== 200) throw unexpected('me', 'GET /api/me', answer);
    return (answer.body as { role: string }).role;
  }

  /** Answers whether the board was created (false: it existed). */
  async createBoard(token: string, board: Record<string, unknown>): Promise<boolean> {
    const answer = await this.call('POST', '/api/admin/boards', token, board);
    if (answer.status === 201) return true;
    if (answer.status === 409) return false;
    throw unexpected('board', String(board.id), answer);
  }

  /** Answers whether the submission was a replay of an earlier run's. */
  async submit(token: string, score: DemoScore): Promise<boolean> {
    const answer = await this.call('POST', '/api/scores', token, {
      value: score.value,
      board: score.board,
      idempotency_key: score.key,
      ...(score.metadata ? { metadata: score.metadata } : {}),
    });
    if (answer.status !== 201) throw unexpected('score', score.key, answer);
    return answer.replayed;
  }

  private async call(method: string, path: string, token: string | undefined, body?: unknown) {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: response.status,
      replayed: response.headers.get('idempotent-replayed') === 'true',
      body: (await response.json().catch(() => undefined)) as unknown,
    };
  }
}

function session(body: unknown): { token: string; id: string } {
  const { access_token: token, user } = body as { access_token: string; user: { id: unknown } };
  return { token, id: String(user.id) };
}

function unexpected(what: string, name: string, answer: { status: number; body: unknown }) {
  return new Error(`demo ${what} ${name}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
}
