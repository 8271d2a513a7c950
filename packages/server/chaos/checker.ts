import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source';
import { decodeMember } from '../src/leaderboard/redis-leaderboard.store';
import { Reconciler } from '../src/processing/reconciler';
import { CHAOS_BOARDS, createChaosBoards, type Workload } from './clients';
import type { UnexpectedExit } from './cluster';
import { log, sleep } from './log';
import type { ChaosWebhookReceiver } from './webhook-receiver';

/** Seconds each settling wait took, or undefined when it ran out of budget. */
export type Settled = {
  pending: number | undefined;
  leaderboard: number | undefined;
  /** Absent when the run has no webhook receiver. */
  webhooks?: number | undefined;
};

export type InvariantResult = { name: string; pass: boolean; summary: string; details: string[] };

/** How long the system may take, once healed, to apply everything and to repair the leaderboard. */
export const SETTLE_BUDGET_MS = { pending: 120_000, leaderboard: 70_000, webhooks: 120_000 };

const SAMPLES = 5;

type ScoreRow = {
  id: string;
  user_id: string;
  board_id: string;
  idempotency_key: string;
  value: number;
  /** Acceptance time in µs since the epoch, zero-padded (compares as text). */
  created_us: string;
  applied: boolean;
  dead: boolean;
  attempts: number;
  last_error: string | null;
};

/**
 * What the checker reads: the one-machine Cluster, or the multi-host run's namespaces (whose Redis
 * is a Redis Cluster: only these commands are asked of it).
 */
export type CheckedSystem = {
  readonly postgres: { readonly url: string; readonly running: boolean };
  readonly redis: {
    command<T>(work: (client: Pick<Redis, 'exists' | 'ping' | 'zrange'>) => Promise<T>): Promise<T>;
  };
  readonly servers: ReadonlyArray<{ readonly name: string; ready(): Promise<boolean> }>;
  readonly unexpectedExits: readonly UnexpectedExit[];
};

/** A ranked standing: the ranked value made comparable (lower is better), exact, as text. */
type Standing = { userId: string; rankScore: string; achievedUs: string };
type Standings = Array<{ board: string; postgres: Standing[]; redis: Standing[] }>;

/**
 * Reads the final state from PostgreSQL and Redis and checks it against what the clients were
 * told, after the healed system has had time to settle.
 */
export class Checker {
  private constructor(
    private readonly dataSource: DataSource,
    private readonly cluster: CheckedSystem,
    private readonly redisKeyPrefix: string,
  ) {}

  /** Creates the boards the clients submit to besides global (see CHAOS_BOARDS). */
  static async prepareBoards(postgresUrl: string): Promise<void> {
    const dataSource = await new DataSource(dataSourceOptions(postgresUrl)).initialize();
    try {
      await createChaosBoards((sql) => dataSource.query(sql));
    } finally {
      await dataSource.destroy();
    }
  }

  static async connect(cluster: CheckedSystem, redisKeyPrefix: string): Promise<Checker> {
    const dataSource = await new DataSource(dataSourceOptions(cluster.postgres.url)).initialize();
    return new Checker(dataSource, cluster, redisKeyPrefix);
  }

  async close(): Promise<void> {
    await this.dataSource.destroy();
  }

  /**
   * Waits, within the budgets, until no score is pending and the Redis leaderboard matches
   * PostgreSQL. Running out of budget is not itself a failure: the checks then report what is off.
   */
  async settle(receiver?: ChaosWebhookReceiver): Promise<Settled> {
    log(`settling: waiting up to ${SETTLE_BUDGET_MS.pending / 1000} s for no pending score`);
    const pending = await this.poll(
      async () => (await this.pendingCount()) === 0,
      SETTLE_BUDGET_MS.pending,
    );
    log(`settling: waiting up to ${SETTLE_BUDGET_MS.leaderboard / 1000} s for the leaderboard`);
    const leaderboard = await this.poll(
      async () => mismatches(await this.standings()).length === 0,
      SETTLE_BUDGET_MS.leaderboard,
    );
    if (!receiver) return { pending, leaderboard };
    log(`settling: waiting up to ${SETTLE_BUDGET_MS.webhooks / 1000} s for webhook deliveries`);
    const webhooks = await this.poll(async () => {
      const [row] = await this.dataSource.query(
        `SELECT (SELECT count(*) FROM webhook_events WHERE dispatched_at IS NULL)
              + (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending') AS open`,
      );
      return Number(row.open) === 0;
    }, SETTLE_BUDGET_MS.webhooks);
    return { pending, leaderboard, webhooks };
  }

  async check(workload: Workload, receiver?: ChaosWebhookReceiver): Promise<InvariantResult[]> {
    const scores: ScoreRow[] = await this.dataSource.query(
      `SELECT id::text AS id, user_id::text AS user_id, board_id, idempotency_key, value,
              lpad((extract(epoch FROM created_at) * 1000000)::bigint::text, 17, '0') AS created_us,
              applied_at IS NOT NULL AS applied, dead_at IS NOT NULL AS dead, attempts, last_error
         FROM scores`,
    );
    const stored = new Map<string, ScoreRow[]>();
    for (const row of scores) {
      const key = `${row.user_id}/${row.idempotency_key}`;
      const rows = stored.get(key);
      if (rows) rows.push(row);
      else stored.set(key, [row]);
    }
    return [
      this.acknowledgedExistOnce(workload, stored),
      this.nothingTwice(workload, stored),
      await this.aggregatesMatch(),
      await this.sumsAndLatestExact(workload, stored),
      await this.leaderboardMatches(),
      this.nothingPending(scores),
      this.noDeadLetters(scores),
      await this.processesRan(),
      this.outagesAnswered503(workload),
      ...(receiver ? [await this.webhooksDelivered(scores, receiver)] : []),
    ];
  }

  /**
   * SPEC 2d: every committed fact has exactly one event (here: every applied score one
   * score.applied, and no score that was not applied has one), every event was delivered to the
   * receiver at least once with a valid signature, and the receiver got no event that was not
   * written (none invented).
   */
  private async webhooksDelivered(
    scores: ScoreRow[],
    receiver: ChaosWebhookReceiver,
  ): Promise<InvariantResult> {
    const events: Array<{ id: string; type: string; score_id: string | null }> =
      await this.dataSource.query(
        `SELECT id::text, type, data->>'score_id' AS score_id FROM webhook_events`,
      );
    const [failed] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM webhook_deliveries WHERE status <> 'delivered'`,
    );
    const details: string[] = [];
    const sample = (line: string) => details.length < SAMPLES && details.push(line);
    const eventsOfScore = new Map<string, number>();
    for (const event of events) {
      if (event.type !== 'score.applied' || event.score_id === null) continue;
      eventsOfScore.set(event.score_id, (eventsOfScore.get(event.score_id) ?? 0) + 1);
    }
    const applied = scores.filter((row) => row.applied);
    const withoutEvent = applied.filter((row) => !eventsOfScore.has(row.id));
    const twice = [...eventsOfScore].filter(([, n]) => n > 1);
    const appliedIds = new Set(applied.map((row) => row.id));
    const forUnapplied = [...eventsOfScore.keys()].filter((id) => !appliedIds.has(id));
    withoutEvent.forEach((row) => sample(`applied score ${row.id} has no score.applied event`));
    twice.forEach(([id, n]) => sample(`score ${id} has ${n} score.applied events`));
    forUnapplied.forEach((id) => sample(`score ${id} was not applied but has an event`));
    const written = new Set(events.map((event) => event.id));
    const undelivered = events.filter((event) => !receiver.received.has(event.id));
    const invented = [...receiver.received.keys()].filter((id) => !written.has(id));
    undelivered.forEach((event) => sample(`event ${event.id} (${event.type}) never delivered`));
    invented.forEach((id) => sample(`received event ${id}, which was never written`));
    const repeats = [...receiver.received.values()].filter((seen) => seen.deliveries > 1).length;
    const { ok, failed: answered500, hung } = receiver.answered;
    return {
      name: 'every applied score has exactly one event, every event is delivered, none invented',
      pass:
        withoutEvent.length + twice.length + forUnapplied.length === 0 &&
        undelivered.length + invented.length + receiver.badSignatures + Number(failed.n) === 0,
      summary:
        `${applied.length} applied scores, ${eventsOfScore.size} score.applied events ` +
        `(${withoutEvent.length} missing, ${twice.length} doubled, ${forUnapplied.length} for ` +
        `unapplied scores); ${events.length} events, ${receiver.received.size} received ` +
        `(${repeats} more than once), ${undelivered.length} never, ${invented.length} invented, ` +
        `${receiver.badSignatures} bad signatures, ${failed.n} deliveries not delivered; the ` +
        `receiver answered ${ok} × 2xx, ${answered500} × 500 and left ${hung} unanswered`,
      details,
    };
  }

  private acknowledgedExistOnce(
    workload: Workload,
    stored: Map<string, ScoreRow[]>,
  ): InvariantResult {
    const problems = { missing: 0, duplicated: 0, otherId: 0, otherValue: 0, unapplied: 0 };
    const details: string[] = [];
    for (const ack of workload.acknowledged) {
      const rows = stored.get(`${ack.userId}/${ack.key}`) ?? [];
      const row = rows[0];
      const problem = !row
        ? 'missing'
        : rows.length > 1
          ? 'duplicated'
          : row.id !== ack.id
            ? 'otherId'
            : row.value !== ack.value || ack.ackValue !== ack.value
              ? 'otherValue'
              : !row.applied
                ? 'unapplied'
                : undefined;
      if (!problem) continue;
      problems[problem] += 1;
      if (details.length < SAMPLES) {
        details.push(
          `${problem}: acknowledged ${JSON.stringify(ack)}, stored ${JSON.stringify(rows)}`,
        );
      }
    }
    const failed = Object.values(problems).reduce((a, b) => a + b, 0);
    const replayed = workload.acknowledged.filter((ack) => ack.replayed).length;
    return {
      name: 'every acknowledged score exists exactly once, as acknowledged, and is applied',
      pass: failed === 0,
      summary:
        `${workload.acknowledged.length} acknowledged (${replayed} by a replay): ` +
        `${workload.acknowledged.length - failed} ok, ${problems.missing} missing, ` +
        `${problems.duplicated} duplicated, ${problems.otherId} under another id, ` +
        `${problems.otherValue} with another value, ${problems.unapplied} not applied`,
      details,
    };
  }

  private nothingTwice(workload: Workload, stored: Map<string, ScoreRow[]>): InvariantResult {
    const details: string[] = [];
    const sample = (line: string) => details.length < SAMPLES && details.push(line);
    const duplicates = [...stored.values()].filter((rows) => rows.length > 1);
    duplicates.forEach((rows) => sample(`stored twice: ${JSON.stringify(rows)}`));
    const sent = new Set(
      [...workload.acknowledged, ...workload.unacknowledged].map((op) => `${op.userId}/${op.key}`),
    );
    const phantoms = [...stored.keys()].filter((key) => !sent.has(key));
    phantoms.forEach((key) => sample(`stored but never submitted: ${key}`));
    let unackedStored = 0;
    let wrongValue = 0;
    for (const op of workload.unacknowledged) {
      const rows = stored.get(`${op.userId}/${op.key}`) ?? [];
      if (rows.length > 0) unackedStored += 1;
      if (rows.some((row) => row.value !== op.value)) {
        wrongValue += 1;
        sample(`${op.outcome} stored with another value: ${JSON.stringify({ op, rows })}`);
      }
    }
    const { indeterminate, rejected } = workload.stats;
    return {
      name: 'no submission is stored twice; unacknowledged ones at most once; no phantoms',
      pass: duplicates.length === 0 && phantoms.length === 0 && wrongValue === 0,
      summary:
        `${stored.size} (user, key) pairs stored, ${duplicates.length} more than once; ` +
        `${indeterminate} indeterminate and ${rejected} rejected, of which ${unackedStored} ` +
        `stored (${wrongValue} with another value); ${phantoms.length} stored but never submitted`,
      details,
    };
  }

  private async aggregatesMatch(): Promise<InvariantResult> {
    const drift = await new Reconciler(this.dataSource).findDrift();
    return {
      name: 'every aggregate equals its recomputation from scores (reconcile finds no drift)',
      pass: drift.length === 0,
      summary: `${drift.length} users drifted`,
      details: drift.slice(0, SAMPLES).map((d) => JSON.stringify(d)),
    };
  }

  /**
   * On the `sum` board, every player's total is exactly the sum of what they were acknowledged
   * (plus what an unacknowledged submission stored: at most once, see above); on the `latest`
   * board, their value is that of the last of those by acceptance time. Both in PostgreSQL's
   * standing and in the Redis ranking (its ranked value, read back from the sorted set).
   */
  private async sumsAndLatestExact(
    workload: Workload,
    stored: Map<string, ScoreRow[]>,
  ): Promise<InvariantResult> {
    type Expected = { sum: bigint; latest: ScoreRow | undefined };
    const expected = new Map<string, Expected>();
    const counted = [
      ...workload.acknowledged,
      ...workload.unacknowledged.filter((op) => stored.has(`${op.userId}/${op.key}`)),
    ];
    for (const op of counted) {
      if (op.board === 'global') continue;
      const row = stored.get(`${op.userId}/${op.key}`)?.[0];
      const key = `${op.board}/${op.userId}`;
      const entry = expected.get(key) ?? { sum: 0n, latest: undefined };
      entry.sum += BigInt(op.value);
      if (row && (!entry.latest || laterThan(row, entry.latest))) entry.latest = row;
      expected.set(key, entry);
    }
    const rows: Array<{ board_id: string; user_id: string; sum: string; latest: number | null }> =
      await this.dataSource.query(
        `SELECT board_id, user_id::text, sum_scores::text AS sum, latest_value AS latest
           FROM user_stats WHERE board_id IN ('chaos-sum', 'chaos-latest') AND total_scores > 0`,
      );
    const redis = new Map<string, string>();
    for (const board of ['chaos-sum', 'chaos-latest']) {
      for (const standing of await this.redisStandings(board)) {
        redis.set(`${board}/${standing.userId}`, String(-BigInt(standing.rankScore)));
      }
    }
    const details: string[] = [];
    let wrong = 0;
    let checked = 0;
    const seen = new Set<string>();
    for (const row of rows) {
      const key = `${row.board_id}/${row.user_id}`;
      seen.add(key);
      const want = expected.get(key);
      const value = row.board_id === 'chaos-sum' ? row.sum : String(row.latest);
      const wanted =
        row.board_id === 'chaos-sum' ? String(want?.sum ?? 0n) : String(want?.latest?.value);
      checked += 1;
      if (value !== wanted || redis.get(key) !== wanted) {
        wrong += 1;
        if (details.length < SAMPLES) {
          details.push(`${key}: expected ${wanted}, PostgreSQL ${value}, Redis ${redis.get(key)}`);
        }
      }
    }
    const missing = [...expected.keys()].filter((key) => !seen.has(key));
    missing.slice(0, SAMPLES).forEach((key) => details.push(`${key}: no standing`));
    return {
      name: 'every sum is the exact sum of the acknowledged scores; every latest the last accepted',
      pass: wrong === 0 && missing.length === 0,
      summary: `${checked} standings on chaos-sum and chaos-latest: ${wrong} wrong, ${missing.length} missing`,
      details,
    };
  }

  private async leaderboardMatches(): Promise<InvariantResult> {
    const standings = await this.standings();
    const differ = mismatches(standings);
    const counts = await Promise.all(
      standings.map(async ({ board, postgres, redis }) => {
        const key = await this.leaderboardKey(board);
        const ready = await this.cluster.redis.command((c) => c.exists(`${key}:ready`));
        return `${board}: ${redis.length} in Redis (ready flag ${ready ? 'set' : 'missing'}), ${postgres.length} in PostgreSQL`;
      }),
    );
    return {
      name: 'every Redis leaderboard holds PostgreSQL’s standings in PostgreSQL’s order',
      pass: differ.length === 0,
      summary: `${counts.join('; ')}; ${differ.length} positions differ`,
      details: differ.slice(0, SAMPLES),
    };
  }

  private nothingPending(scores: ScoreRow[]): InvariantResult {
    const pending = scores.filter((row) => !row.applied && !row.dead);
    return {
      name: 'nothing is pending',
      pass: pending.length === 0,
      summary: `${pending.length} scores neither applied nor dead`,
      details: pending.slice(0, SAMPLES).map((row) => JSON.stringify(row)),
    };
  }

  private noDeadLetters(scores: ScoreRow[]): InvariantResult {
    const dead = scores.filter((row) => row.dead);
    return {
      name: 'no dead letter (no poison was injected: any came from a transient fault)',
      pass: dead.length === 0,
      summary: `${dead.length} dead letters`,
      details: dead
        .slice(0, SAMPLES)
        .map((row) => `score ${row.id} after ${row.attempts} attempts: ${row.last_error}`),
    };
  }

  private async processesRan(): Promise<InvariantResult> {
    const down: string[] = [];
    for (const server of this.cluster.servers) {
      if (!(await server.ready())) down.push(server.name);
    }
    if (!this.cluster.postgres.running) down.push('postgres');
    if (!(await this.cluster.redis.command((c) => c.ping()).catch(() => false))) down.push('redis');
    const exits = this.cluster.unexpectedExits;
    const byProcess = new Map<string, number>();
    exits.forEach((e) => byProcess.set(e.process, (byProcess.get(e.process) ?? 0) + 1));
    return {
      name: 'every process runs, and none exited on its own during the run',
      pass: down.length === 0 && exits.length === 0,
      summary:
        `${exits.length} unexpected exits` +
        (exits.length ? ` (${[...byProcess].map(([p, n]) => `${p} × ${n}`).join(', ')})` : '') +
        `; not running at the end: ${down.length ? down.join(', ') : 'none'}`,
      details: distinctExits(exits).map(
        (e) =>
          `${e.process} (pid ${e.pid}) exited at ${e.atSeconds.toFixed(1)} s, after ` +
          `${e.uptimeSeconds.toFixed(1)} s, with code ${e.code}, signal ${e.signal}; ` +
          `its log ended:\n${indent(e.logTail)}`,
      ),
    };
  }

  /** SPEC G6: while PostgreSQL is away, requests that need it answer 503 with Retry-After. */
  private outagesAnswered503(workload: Workload): InvariantResult {
    const { responses, unavailableWithoutRetryAfter, serverErrors } = workload.stats;
    const errors = [...responses].filter(([status]) => /^5\d\d$/.test(status));
    const unexpected = errors.filter(([status]) => status !== '503');
    return {
      name: 'no 5xx but 503, and every 503 with Retry-After (a dependency outage is a 503)',
      pass: unexpected.length === 0 && unavailableWithoutRetryAfter === 0,
      summary:
        `5xx answers: ${errors.map(([status, n]) => `${status} × ${n}`).join(', ') || 'none'}; ` +
        `${unavailableWithoutRetryAfter} 503s without Retry-After`,
      details: [...serverErrors]
        .slice(0, SAMPLES)
        .map(
          ([error, seen]) => `${error} × ${seen.count}, from ${seen.firstAtSeconds.toFixed(1)} s`,
        ),
    };
  }

  private async pendingCount(): Promise<number> {
    const [row]: Array<{ n: string }> = await this.dataSource.query(
      'SELECT count(*) AS n FROM scores WHERE applied_at IS NULL AND dead_at IS NULL',
    );
    return Number(row!.n);
  }

  private async standings(): Promise<Standings> {
    return Promise.all(
      CHAOS_BOARDS.map(async ({ id }) => ({
        board: id,
        postgres: await this.postgresStandings(id),
        redis: await this.redisStandings(id),
      })),
    );
  }

  /**
   * PostgreSQL's ranking of a board (its one period): the ranked standings. achieved_at is turned
   * into whole microseconds exactly as the leaderboard store does.
   */
  private async postgresStandings(board: string): Promise<Standing[]> {
    const rows: Array<{ user_id: string; rank_score: string; achieved_us: string }> =
      await this.dataSource.query(
        `SELECT s.user_id::text AS user_id, s.rank_score::text AS rank_score,
                (extract(epoch FROM s.achieved_at) * 1000000)::bigint::text AS achieved_us
           FROM user_stats s JOIN board_periods p ON p.id = s.period_id
          WHERE p.board_id = $1 AND s.ranked
          ORDER BY s.rank_score, s.achieved_at, s.user_id`,
        [board],
      );
    return rows.map((row) => ({
      userId: row.user_id,
      rankScore: row.rank_score,
      achievedUs: row.achieved_us,
    }));
  }

  /** The sorted set in Redis' order, decoded as redis-leaderboard.store.ts encodes it. */
  private async redisStandings(board: string): Promise<Standing[]> {
    const key = await this.leaderboardKey(board);
    const members = await this.cluster.redis.command((c) => c.zrange(key, 0, -1));
    return members.map((member) => {
      const standing = decodeMember(member);
      return {
        userId: standing.userId,
        rankScore: standing.rankScore,
        achievedUs: standing.achievedAtMicros,
      };
    });
  }

  /** The sorted set of a board's one period (the chaos boards never reset). */
  private async leaderboardKey(board: string): Promise<string> {
    const [period]: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id::text FROM board_periods WHERE board_id = $1 ORDER BY starts_at LIMIT 1`,
      [board],
    );
    return `${this.redisKeyPrefix}{board:${board}}:period:${period?.id}:standings`;
  }

  /** Polls `done` until true; returns how many seconds it took, or undefined past the budget. */
  private async poll(done: () => Promise<boolean>, budgetMs: number): Promise<number | undefined> {
    const started = Date.now();
    while (Date.now() - started < budgetMs) {
      if (await done().catch(() => false)) return (Date.now() - started) / 1000;
      await sleep(500);
    }
    return undefined;
  }
}

/** Where the Redis sorted sets and PostgreSQL's rankings differ, position by position. */
function mismatches(boards: Standings): string[] {
  const show = (s: Standing | undefined) =>
    s ? `user ${s.userId} ${s.rankScore} at ${s.achievedUs} µs` : 'nothing';
  const same = (a: Standing | undefined, b: Standing | undefined) =>
    a?.userId === b?.userId && a?.rankScore === b?.rankScore && a?.achievedUs === b?.achievedUs;
  const differ: string[] = [];
  for (const { board, postgres, redis } of boards) {
    for (let i = 0; i < Math.max(postgres.length, redis.length); i++) {
      if (!same(postgres[i], redis[i])) {
        differ.push(
          `${board} #${i + 1}: Redis has ${show(redis[i])}, PostgreSQL ${show(postgres[i])}`,
        );
      }
    }
  }
  return differ;
}

/** Accepted later: by acceptance time, then id (the apply statement's order of the latest). */
function laterThan(a: ScoreRow, b: ScoreRow): boolean {
  return a.created_us !== b.created_us ? a.created_us > b.created_us : BigInt(a.id) > BigInt(b.id);
}

/**
 * A few exits worth reading: the first of each process, then any whose last log line (time and pid
 * aside) tells of another cause.
 */
function distinctExits(exits: readonly UnexpectedExit[]): UnexpectedExit[] {
  const cause = (e: UnexpectedExit) =>
    (e.logTail.split('\n').pop() ?? '').replace(/"(time|pid)":\d+,?/g, '');
  const shown: UnexpectedExit[] = [];
  for (const e of exits) {
    if (shown.length === SAMPLES) break;
    if (shown.some((s) => s.process === e.process && cause(s) === cause(e))) continue;
    shown.push(e);
  }
  return shown;
}

/** Log lines under a detail, each cut at 400 characters (a stack trace is one JSON line). */
const indent = (text: string) =>
  text
    .split('\n')
    .map((line) => `          ${line.length > 400 ? `${line.slice(0, 400)}…` : line}`)
    .join('\n');
