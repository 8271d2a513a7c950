import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source';
import { Reconciler } from '../src/processing/reconciler';
import type { Workload } from './clients';
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
  idempotency_key: string;
  value: number;
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

type Standing = { userId: string; highScore: number; achievedUs: string };
type Standings = { postgres: Standing[]; redis: Standing[] };

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
      `SELECT id::text AS id, user_id::text AS user_id, idempotency_key, value,
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

  private async leaderboardMatches(): Promise<InvariantResult> {
    const standings = await this.standings();
    const differ = mismatches(standings);
    const key = await this.globalLeaderboardKey();
    const ready = await this.cluster.redis.command((c) => c.exists(`${key}:ready`));
    return {
      name: 'the Redis leaderboard holds PostgreSQL’s standings in PostgreSQL’s order',
      pass: differ.length === 0,
      summary:
        `${standings.redis.length} players in Redis (ready flag ${ready ? 'set' : 'missing'}), ` +
        `${standings.postgres.length} in PostgreSQL, ${differ.length} positions differ`,
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
    return { postgres: await this.postgresStandings(), redis: await this.redisStandings() };
  }

  /**
   * PostgreSQL's ranking of the global board (its one period): the ranked standings. achieved_at
   * is turned into whole microseconds exactly as the leaderboard store does.
   */
  private postgresStandings(): Promise<Standing[]> {
    return this.dataSource
      .query(
        `SELECT s.user_id::text AS user_id, s.high_score,
                (extract(epoch FROM s.achieved_at) * 1000000)::bigint::text AS achieved_us
           FROM user_stats s JOIN board_periods p ON p.id = s.period_id
          WHERE p.board_id = 'global' AND s.ranked
          ORDER BY s.rank_score, s.achieved_at, s.user_id`,
      )
      .then((rows: Array<{ user_id: string; high_score: number; achieved_us: string }>) =>
        rows.map((row) => ({
          userId: row.user_id,
          highScore: row.high_score,
          achievedUs: row.achieved_us,
        })),
      );
  }

  /**
   * The sorted set in Redis' order, decoded as redis-leaderboard.store.ts encodes it: score the
   * rank score (-high_score on global, a `desc` board), member "<achieved_at µs, 17 digits>:<user id, 19 digits>".
   */
  private async redisStandings(): Promise<Standing[]> {
    const key = await this.globalLeaderboardKey();
    const flat = await this.cluster.redis.command((c) => c.zrange(key, 0, -1, 'WITHSCORES'));
    const standings: Standing[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const [achieved, user] = flat[i]!.split(':');
      standings.push({
        userId: unpad(user ?? ''),
        highScore: -Number(flat[i + 1]),
        achievedUs: unpad(achieved ?? ''),
      });
    }
    return standings;
  }

  /** The sorted set of the global board's one period (the clients submit to global). */
  private async globalLeaderboardKey(): Promise<string> {
    const [period]: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id::text FROM board_periods WHERE board_id = 'global'`,
    );
    return `${this.redisKeyPrefix}{board:global}:period:${period!.id}:ranking`;
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

/** Where the Redis sorted set and PostgreSQL's ranking differ, position by position. */
function mismatches({ postgres, redis }: Standings): string[] {
  const show = (s: Standing | undefined) =>
    s ? `user ${s.userId} ${s.highScore} at ${s.achievedUs} µs` : 'nothing';
  const same = (a: Standing | undefined, b: Standing | undefined) =>
    a?.userId === b?.userId && a?.highScore === b?.highScore && a?.achievedUs === b?.achievedUs;
  const differ: string[] = [];
  for (let i = 0; i < Math.max(postgres.length, redis.length); i++) {
    if (!same(postgres[i], redis[i])) {
      differ.push(`#${i + 1}: Redis has ${show(redis[i])}, PostgreSQL ${show(postgres[i])}`);
    }
  }
  return differ;
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

const unpad = (digits: string) => digits.replace(/^0+(?=\d)/, '');
/** Log lines under a detail, each cut at 400 characters (a stack trace is one JSON line). */
const indent = (text: string) =>
  text
    .split('\n')
    .map((line) => `          ${line.length > 400 ? `${line.slice(0, 400)}…` : line}`)
    .join('\n');
