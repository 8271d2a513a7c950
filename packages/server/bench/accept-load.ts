/**
 * The load generator of bench/accept.ts, in a process of its own so that it shares an event loop
 * with neither the bench nor the server. It receives one `LoadPlan` over IPC, runs autocannon
 * (the warm-up, then the measured window), answers with a `LoadResult` and exits.
 *
 * Requests rotate over the signed-up players' tokens and each carries an idempotency key of its
 * own, `<tag>-<n>`: every answered request inserts a score, and the scores of one run can be
 * found by their tag. The server processes' CPU time (and the machine's, and this process's own)
 * is read here, right at the start and the end of the measured window rather than a round trip
 * away in the bench.
 */
import autocannon from 'autocannon';
import { busyShare, commandTicks, machineTicks, processTicks, ticksBetween } from './proc-stat';

/** Seconds without an answer after which a request counts as not answered. */
const REQUEST_TIMEOUT_S = 10;

export type LoadPlan = {
  /** The API processes; the connections are dealt out over them in turn. */
  urls: string[];
  tokens: string[];
  connections: number;
  seconds: number;
  warmUpSeconds: number;
  /** Requests per second over all connections; unset, as fast as the answers come. */
  rate?: number;
  tag: string;
  /** The server processes whose CPU time the window is charged. */
  pids: number[];
};

export type LoadResult = {
  seconds: number;
  ok: number;
  non2xx: number;
  /** Requests without an answer: connection errors and timeouts (`timeouts` counts the latter). */
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Milliseconds, every answer (2xx or not). */
  latency: { p50: number; p99: number; max: number };
  /** utime + stime of each of `pids` in clock ticks, at the window's start and end. */
  ticks: { start: number[]; end: number[] };
  /** The window on the monotonic clock, in µs: the timestamps of V8's CPU profiles. */
  window: { startUs: number; endUs: number };
  /** The share of the machine's cores busy over the window (anything running, not only ours). */
  machineBusy: number;
  /**
   * Clock ticks over the window: of all cores busy, of every PostgreSQL process on the machine
   * and of every redis-server (the shared ones too, idle while the bench runs alone).
   */
  machineBusyTicks: number;
  postgresTicks: number;
  redisTicks: number;
  /** This process's CPU time over the window, in ms. */
  generatorCpuMs: number;
};

async function run(plan: LoadPlan): Promise<LoadResult> {
  let sent = 0;
  const instance = autocannon({
    url: plan.urls,
    connections: plan.connections,
    duration: plan.seconds,
    timeout: REQUEST_TIMEOUT_S,
    // autocannon's correction for a fixed rate assumes 1 ms between requests whatever the rate,
    // which would invent latencies: keep the ones measured.
    ...(plan.rate === undefined ? {} : { overallRate: plan.rate, ignoreCoordinatedOmission: true }),
    ...(plan.warmUpSeconds > 0
      ? { warmup: { connections: plan.connections, duration: plan.warmUpSeconds } }
      : {}),
    requests: [
      {
        method: 'POST',
        path: '/api/scores',
        setupRequest: (request) => {
          const n = sent++;
          return {
            ...request,
            headers: {
              ...request.headers,
              'content-type': 'application/json',
              authorization: `Bearer ${plan.tokens[n % plan.tokens.length]}`,
            },
            body: JSON.stringify({ value: n % 101, idempotency_key: `${plan.tag}-${n}` }),
          };
        },
      },
    ],
  });
  const reading = () => ({
    us: monotonicUs(),
    ticks: plan.pids.map(processTicks),
    machine: machineTicks(),
    postgres: commandTicks('postgres'),
    redis: commandTicks('redis-server'),
    own: process.cpuUsage(),
  });
  let start: ReturnType<typeof reading> | undefined;
  instance.on('start', () => (start = reading()));
  const result = await instance;
  const end = reading();
  if (!start) throw new Error('autocannon never started its measured run');
  return {
    seconds: result.duration,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
    ),
    latency: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    ticks: { start: start.ticks, end: end.ticks },
    window: { startUs: start.us, endUs: end.us },
    machineBusy: busyShare(start.machine, end.machine),
    machineBusyTicks: end.machine.busy - start.machine.busy,
    postgresTicks: ticksBetween(start.postgres, end.postgres),
    redisTicks: ticksBetween(start.redis, end.redis),
    generatorCpuMs: (end.own.user + end.own.system - start.own.user - start.own.system) / 1000,
  };
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

process.once('message', (plan: LoadPlan) => {
  run(plan).then(
    (result) => process.send!(result, () => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
