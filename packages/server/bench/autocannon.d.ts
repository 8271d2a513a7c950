/** The part of autocannon 9's programmatic API the benchmarks use (the package ships no types). */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    type Request = {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
    };

    type Options = {
      /** Several URLs: the connections are dealt out over them in turn. */
      url: string | string[];
      connections: number;
      /** Seconds. */
      duration: number;
      /** Seconds without an answer after which a request counts as timed out. */
      timeout?: number;
      /** Requests per second over all connections (each connection's share per second). */
      overallRate?: number;
      ignoreCoordinatedOmission?: boolean;
      /** Run first, its figures left out of the result. */
      warmup?: { connections: number; duration: number };
      requests?: Array<Request & { setupRequest?: (request: Request) => Request }>;
    };

    /** Milliseconds. */
    type Latency = { p50: number; p99: number; max: number; average: number };

    type Result = {
      /** Seconds. */
      duration: number;
      '2xx': number;
      non2xx: number;
      /** Connection errors and timeouts (a timeout counts in both). */
      errors: number;
      timeouts: number;
      latency: Latency;
      statusCodeStats: Record<string, { count: number }>;
    };

    /** Emits `start` when the measured run (after any warm-up) begins. */
    type Instance = EventEmitter & PromiseLike<Result>;
  }

  function autocannon(options: autocannon.Options): autocannon.Instance;
  export = autocannon;
}
