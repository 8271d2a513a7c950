import { elapsedSeconds, sleep } from './log';
import type { Random } from './random';

export type Player = { id: string; token: string };

export type Api = { name: string; baseUrl: string };

/**
 * One intended submission: a player, a board, a fresh idempotency key and a value, kept across
 * retries.
 */
export type Operation = { userId: string; board: string; key: string; value: number };

/**
 * The boards the clients submit to: global (best), and one ranking by the exact sum and one by
 * the latest accepted score, where a lost or doubled score, or a late apply, would show.
 */
export const CHAOS_BOARDS = [
  { id: 'global', ranking: 'best' },
  { id: 'chaos-sum', ranking: 'sum' },
  { id: 'chaos-latest', ranking: 'latest' },
] as const;

/** Creates the chaos boards (0 to 100, never resetting), through the database of the run. */
export async function createChaosBoards(query: (sql: string) => Promise<unknown>): Promise<void> {
  for (const board of CHAOS_BOARDS.filter((b) => b.id !== 'global')) {
    await query(
      `INSERT INTO boards (id, name, ranking, score_min, score_max)
       VALUES ('${board.id}', '${board.id}', '${board.ranking}', 0, 100)
       ON CONFLICT (id) DO NOTHING`,
    );
  }
}

/** A submission the API acknowledged with 201: its score must exist once, with this id. */
export type Acknowledged = Operation & {
  id: string;
  /** The value the 201 answered with (the stored one, which must be the one sent). */
  ackValue: number;
  /** Acknowledged by a replay: an earlier attempt stored it but its answer was lost. */
  replayed: boolean;
};

/**
 * A submission with no 201 by the time clients gave up (`indeterminate`: it may or may not be
 * stored) or refused with a 4xx (`rejected`: should not be stored). Either way: at most once.
 */
export type Unacknowledged = Operation & {
  outcome: 'indeterminate' | 'rejected';
  lastResponse: string;
};

export type WorkloadStats = {
  operations: number;
  acknowledged: number;
  replayed: number;
  retried: number;
  indeterminate: number;
  rejected: number;
  attempts: number;
  /** Responses by HTTP status, plus `timeout` and `network error`. */
  responses: Map<string, number>;
  /** 503s without the Retry-After header that the SPEC (G6) requires. */
  unavailableWithoutRetryAfter: number;
  /**
   * 5xx other than 503 (a dependency outage must be a 503), by API, status and body: how many, and
   * when the first came.
   */
  serverErrors: Map<string, { count: number; firstAtSeconds: number }>;
};

/** Past this, an attempt is abandoned and the same submission retried (maybe on the other API). */
const REQUEST_TIMEOUT_MS = 3000;
const BACKOFF_BASE_MS = 100;
const BACKOFF_MAX_MS = 2000;

export async function signUpPlayers(apiUrl: string, count: number): Promise<Player[]> {
  const players: Player[] = [];
  // A few at a time: password hashing (argon2id) is deliberately expensive.
  for (let i = 0; i < count; i += 4) {
    const batch = Array.from({ length: Math.min(4, count - i) }, async (_, j) => {
      const response = await fetch(`${apiUrl}/api/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `chaos-player-${i + j}@example.com`,
          password: 'correct horse battery',
        }),
      });
      const body = (await response.json()) as { access_token: string; user: { id: string } };
      if (response.status !== 201) {
        throw new Error(`Signup failed: ${response.status} ${JSON.stringify(body)}`);
      }
      return { id: body.user.id, token: body.access_token };
    });
    players.push(...(await Promise.all(batch)));
  }
  return players;
}

/**
 * Concurrent clients, each submitting one score at a time with a fresh idempotency key to a random
 * API. A timeout, a network error, a 429 or a 5xx is retried with the SAME key and value, with
 * backoff, until a 201 or until the clients give up after the run. Records every submission's
 * outcome for the checker.
 */
export class Workload {
  readonly acknowledged: Acknowledged[] = [];
  readonly unacknowledged: Unacknowledged[] = [];
  readonly stats: WorkloadStats = {
    operations: 0,
    acknowledged: 0,
    replayed: 0,
    retried: 0,
    indeterminate: 0,
    rejected: 0,
    attempts: 0,
    responses: new Map(),
    unavailableWithoutRetryAfter: 0,
    serverErrors: new Map(),
  };
  private issuing = true;
  private giveUpAt = Infinity;
  private finished: Promise<void> | undefined;

  constructor(
    private readonly apis: Api[],
    private readonly players: Player[],
    private readonly random: Random,
  ) {}

  start(clients: number): void {
    this.finished = Promise.all(
      Array.from({ length: clients }, (_, i) => this.client(i, this.random.fork(`client-${i}`))),
    ).then(() => undefined);
  }

  /** No new submissions; those in flight keep retrying for `graceMs`, then are indeterminate. */
  stopIssuing(graceMs: number): void {
    this.issuing = false;
    this.giveUpAt = Date.now() + graceMs;
  }

  /** Resolves when every client has finished its last submission. */
  async done(): Promise<void> {
    await this.finished;
  }

  private async client(index: number, random: Random): Promise<void> {
    for (let n = 0; this.issuing; n++) {
      const player = random.pick(this.players);
      await this.submit(random, player, {
        userId: player.id,
        board: random.pick(CHAOS_BOARDS).id,
        key: `chaos-${random.seed}-c${index}-${n}`,
        value: random.int(0, 100),
      });
      // A short pause, so that the clients load the machine without starving the processes.
      await sleep(random.int(0, 20));
    }
  }

  private async submit(random: Random, player: Player, op: Operation): Promise<void> {
    this.stats.operations += 1;
    for (let attempt = 1; ; attempt++) {
      const result = await this.attempt(random.pick(this.apis), player.token, op);
      this.stats.attempts += 1;
      this.count(result.label);
      if (attempt === 2) this.stats.retried += 1;
      if (result.acknowledged) {
        const { id, value, replayed } = result.acknowledged;
        this.acknowledged.push({ ...op, id, ackValue: value, replayed });
        this.stats.acknowledged += 1;
        if (replayed) this.stats.replayed += 1;
        return;
      }
      if (!result.retry) {
        this.unacknowledged.push({ ...op, outcome: 'rejected', lastResponse: result.label });
        this.stats.rejected += 1;
        return;
      }
      if (Date.now() >= this.giveUpAt) {
        this.unacknowledged.push({ ...op, outcome: 'indeterminate', lastResponse: result.label });
        this.stats.indeterminate += 1;
        return;
      }
      const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
      await sleep(backoff / 2 + random.next() * (backoff / 2));
    }
  }

  private async attempt(
    api: Api,
    token: string,
    op: Operation,
  ): Promise<{
    label: string;
    retry: boolean;
    acknowledged?: { id: string; value: number; replayed: boolean };
  }> {
    let response: Response;
    let body: { id?: string; value?: number };
    try {
      response = await fetch(`${api.baseUrl}/api/scores`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': op.key,
        },
        body: JSON.stringify({ value: op.value, board: op.board }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      body = (await response.json().catch(() => ({}))) as typeof body;
    } catch (error) {
      const timeout = error instanceof Error && error.name === 'TimeoutError';
      return { label: timeout ? 'timeout' : 'network error', retry: true };
    }
    const label = String(response.status);
    if (response.status === 201 && typeof body.id === 'string') {
      const replayed = response.headers.get('idempotent-replayed') === 'true';
      return { label, retry: false, acknowledged: { id: body.id, value: body.value!, replayed } };
    }
    if (response.status === 503 && !response.headers.has('retry-after')) {
      this.stats.unavailableWithoutRetryAfter += 1;
    }
    if (response.status >= 500 && response.status !== 503) {
      const key = `${label} from ${api.name}: ${JSON.stringify(body)}`;
      const seen = this.stats.serverErrors.get(key);
      if (seen) seen.count += 1;
      else this.stats.serverErrors.set(key, { count: 1, firstAtSeconds: elapsedSeconds() });
    }
    return { label, retry: response.status === 429 || response.status >= 500 };
  }

  private count(label: string): void {
    this.stats.responses.set(label, (this.stats.responses.get(label) ?? 0) + 1);
  }
}
