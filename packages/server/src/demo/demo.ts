import type { INestApplication } from '@nestjs/common';
import { createLogger } from '../common/logger';
import { AppConfig } from '../config/app-config';
import { createHttpApp } from '../http-app';
import { ProcessingRepository } from '../processing/processing.repository';
import { UsersRepository } from '../users/users.repository';

export const DEMO_PASSWORD = 'scoreboard-demo';

type DemoPlayer = { email: string; name: string; skill: number };
type DemoBoard = {
  id: string;
  /** Scores per player, at most; each plays a share of it. */
  scores: number;
  /** A player's score from their skill (0..1) and a draw (0..1). */
  value(skill: number, draw: number): number;
  /** POST /api/admin/boards; none for `global`, which always exists. */
  create?: Record<string, unknown>;
};

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
    scores: 12,
    value: (skill, draw) => Math.round(20 + 60 * skill + 25 * (draw - 0.5)),
  },
  {
    id: 'speedrun',
    scores: 6,
    // Milliseconds, lower is better: a skilled player runs about 3 minutes, a novice 9.
    value: (skill, draw) => Math.round(540_000 - 360_000 * skill + 60_000 * (draw - 0.5)),
    create: {
      id: 'speedrun',
      name: 'Speedrun',
      sort: 'asc',
      score_min: 1,
      score_max: 3_600_000,
      reset: 'weekly',
      timezone: 'Europe/Paris',
    },
  },
  {
    id: 'daily-puzzle',
    scores: 4,
    value: (skill, draw) => Math.round(400 + 500 * skill * draw + 100 * draw),
    create: {
      id: 'daily-puzzle',
      name: 'Daily puzzle',
      sort: 'desc',
      score_min: 0,
      score_max: 1000,
      reset: 'daily',
      timezone: 'UTC',
    },
  },
];

export type DemoReport = {
  players: { created: number; existing: number };
  boards: { created: number; existing: number };
  scores: { accepted: number; replayed: number };
  lines: string[];
};

/**
 * `scoreboard demo`: demo players, boards and scores, made through the product's own HTTP API
 * (signup, the admin boards route, POST /api/scores with idempotency keys) on a private instance
 * of the app over the configured database, whose worker applies them like any other. Running it
 * again changes nothing: accounts are logged into, boards kept, and every score has a fixed
 * idempotency key, so it is answered as a replay.
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
    scores: { accepted: 0, replayed: 0 },
    lines: [],
  };
  const tokens = new Map<DemoPlayer, string>();
  for (const player of PLAYERS) {
    const { token, created } = await api.account(player);
    tokens.set(player, token);
    report.players[created ? 'created' : 'existing'] += 1;
  }
  await app.get(UsersRepository, { strict: false }).setRole(ADMIN.email, 'admin', {
    action: 'users.set-role',
    reason: 'set to admin by the demo command',
  });

  const adminToken = tokens.get(ADMIN)!;
  for (const board of BOARDS) {
    if (!board.create) continue;
    const created = await api.createBoard(adminToken, board.create);
    report.boards[created ? 'created' : 'existing'] += 1;
  }

  // One player after another per board, each player's scores in order: the chart reads as a
  // history. Draws come from a fixed seed, so a second run sends the same values and keys.
  const random = seeded(20261201);
  for (const board of BOARDS) {
    for (const [index, player] of PLAYERS.entries()) {
      const count = Math.max(2, Math.round(board.scores * (0.4 + 0.6 * random())));
      for (let n = 1; n <= count; n += 1) {
        const value = board.value(player.skill, random());
        const key = `demo-${board.id}-${index}-${n}`;
        const replayed = await api.submit(tokens.get(player)!, { value, board: board.id, key });
        report.scores[replayed ? 'replayed' : 'accepted'] += 1;
      }
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
      `(${report.scores.accepted} new, ${report.scores.replayed} already there), all applied.`,
    '',
    `Open ${publicUrl} and log in with the password "${DEMO_PASSWORD}" as`,
    `  ${ADMIN.email}  (an admin: the admin console is at ${publicUrl}/#/admin)`,
    `  or a player: ${others.join(', ')}`,
  ];
  return report;
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
  async account(player: DemoPlayer): Promise<{ token: string; created: boolean }> {
    const credentials = { email: player.email, password: DEMO_PASSWORD };
    const signup = await this.call('POST', '/api/auth/signup', undefined, {
      ...credentials,
      display_name: player.name,
    });
    if (signup.status === 201) return { token: tokenOf(signup.body), created: true };
    if (signup.status !== 409) throw unexpected('signup', player.email, signup);
    const login = await this.call('POST', '/api/auth/login', undefined, credentials);
    if (login.status === 200) return { token: tokenOf(login.body), created: false };
    if (login.status === 401) {
      throw new Error(
        `${player.email} exists with another password than the demo's: delete that account ` +
          'or use another DATA_DIR / DATABASE_URL',
      );
    }
    throw unexpected('login', player.email, login);
  }

  /** Answers whether the board was created (false: it existed). */
  async createBoard(token: string, board: Record<string, unknown>): Promise<boolean> {
    const answer = await this.call('POST', '/api/admin/boards', token, board);
    if (answer.status === 201) return true;
    if (answer.status === 409) return false;
    throw unexpected('board', String(board.id), answer);
  }

  /** Answers whether the submission was a replay of an earlier run's. */
  async submit(
    token: string,
    score: { value: number; board: string; key: string },
  ): Promise<boolean> {
    const answer = await this.call('POST', '/api/scores', token, {
      value: score.value,
      board: score.board,
      idempotency_key: score.key,
    });
    if (answer.status !== 201) throw unexpected('score', score.key, answer);
    return answer.replayed;
  }

  private async call(method: string, path: string, token: string | undefined, body: unknown) {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      replayed: response.headers.get('idempotent-replayed') === 'true',
      body: (await response.json().catch(() => undefined)) as unknown,
    };
  }
}

const tokenOf = (body: unknown) => (body as { access_token: string }).access_token;

function unexpected(what: string, name: string, answer: { status: number; body: unknown }) {
  return new Error(`demo ${what} ${name}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
}
