import type { Cluster, ServerProcess } from './cluster';
import { log } from './log';
import type { Random } from './random';

export const FAULT_KINDS = [
  'kill-worker',
  'kill-api',
  'kill-api-process',
  'restart-postgres',
  'freeze-postgres',
  'stop-redis',
  'flush-redis',
  'pause-worker',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A fault on one component, and how and when to undo it. */
type Fault = {
  kind: FaultKind;
  component: string;
  detail: string;
  apply(): Promise<void>;
  healAfterMs: number;
  heal(): Promise<void>;
};

type ActiveFault = {
  fault: Fault;
  timer: NodeJS.Timeout | undefined;
  healing: Promise<void> | undefined;
};

const describe = (fault: Fault) => `${fault.kind} ${fault.detail}`.trim();

/** Time between two faults. */
const INTERVAL_MS = { min: 3000, max: 8000 };

/**
 * Injects one fault at a time at random moments, each healed later on its own timer, so faults on
 * different components overlap but never two on the same one. Every choice (which fault, on what,
 * when, for how long) comes from the seeded generator: the same seed gives the same faults, as
 * long as the heals take about as long as they did (a component still busy is not chosen).
 */
export class Nemesis {
  readonly counts = new Map<FaultKind, number>(FAULT_KINDS.map((kind) => [kind, 0]));
  private readonly active = new Map<string, ActiveFault>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly cluster: Cluster,
    private readonly random: Random,
    /** The workers' WORKER_CLAIM_IDLE_MS: a paused worker stays paused longer than this. */
    private readonly claimIdleMs: number,
    /** The kinds of fault to choose from (all by default). */
    private readonly kinds: readonly FaultKind[] = FAULT_KINDS,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Injects nothing more and heals every fault still active, now. */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
    await Promise.all([...this.active.values()].map((active) => this.heal(active)));
  }

  private async run(): Promise<void> {
    while (this.running) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.random.int(INTERVAL_MS.min, INTERVAL_MS.max));
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (!this.running) return;
      const fault = this.choose();
      if (fault) await this.inject(fault);
    }
  }

  private async inject(fault: Fault): Promise<void> {
    const active: ActiveFault = { fault, timer: undefined, healing: undefined };
    this.counts.set(fault.kind, this.counts.get(fault.kind)! + 1);
    this.active.set(fault.component, active);
    log(`nemesis: ${describe(fault)}, healing in ${(fault.healAfterMs / 1000).toFixed(1)} s`);
    try {
      await fault.apply();
    } catch (error) {
      log(`nemesis: ${describe(fault)} failed: ${(error as Error).message}`);
    }
    active.timer = setTimeout(() => void this.heal(active), fault.healAfterMs);
  }

  /** Heals a fault now (at most once); its component is free again afterwards. */
  private heal(active: ActiveFault): Promise<void> {
    clearTimeout(active.timer);
    const { fault } = active;
    active.healing ??= fault
      .heal()
      .then(() => log(`nemesis: healed ${describe(fault)}`))
      .catch((error: Error) => log(`nemesis: healing ${describe(fault)} failed: ${error.message}`))
      .finally(() => this.active.delete(fault.component));
    return active.healing;
  }

  /** A fault on a component that has none active, or nothing when every component is taken. */
  private choose(): Fault | undefined {
    const free = <T extends { name: string }>(items: T[]) =>
      items.filter((item) => !this.active.has(item.name));
    const workers = free(this.cluster.workers);
    const apis = free(this.cluster.apis);
    const postgresFree = !this.active.has('postgres');
    const redisFree = !this.active.has('redis');
    const possible = this.kinds.filter((kind) => {
      if (kind === 'kill-worker' || kind === 'pause-worker') return workers.length > 0;
      if (kind === 'kill-api') return apis.length > 0;
      if (kind === 'kill-api-process') return apis.some((api) => api.httpProcesses().length > 1);
      if (kind === 'restart-postgres' || kind === 'freeze-postgres') return postgresFree;
      return redisFree;
    });
    if (possible.length === 0) return undefined;
    const kind = this.random.pick(possible);
    switch (kind) {
      case 'kill-worker':
        return this.killAndRestart(kind, this.random.pick(workers));
      case 'kill-api':
        return this.killAndRestart(kind, this.random.pick(apis));
      case 'kill-api-process': {
        // One HTTP process of an API with several: its primary starts another in its place.
        const api = this.random.pick(apis.filter((each) => each.httpProcesses().length > 1));
        const pid = this.random.pick(api.httpProcesses());
        return {
          kind,
          component: api.name,
          detail: `${api.name} process ${pid} (SIGKILL; its primary replaces it)`,
          apply: async () => {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              // it exited meanwhile
            }
          },
          healAfterMs: this.random.int(1000, 3000),
          heal: async () => undefined,
        };
      }
      case 'pause-worker': {
        const worker = this.random.pick(workers);
        const pausedMs = this.claimIdleMs + this.random.int(1000, 3000);
        return {
          kind,
          component: worker.name,
          detail: `${worker.name} (SIGSTOP for ${(pausedMs / 1000).toFixed(1)} s)`,
          apply: async () => worker.pause(),
          healAfterMs: pausedMs,
          heal: async () => worker.resume(),
        };
      }
      case 'restart-postgres': {
        const mode = this.random.chance(0.3) ? 'immediate' : 'fast';
        return {
          kind,
          component: 'postgres',
          detail: `(${mode} stop)`,
          apply: () => this.cluster.postgres.stop({ mode }),
          healAfterMs: this.random.int(0, 3000),
          heal: () => this.cluster.postgres.start(),
        };
      }
      case 'freeze-postgres': {
        // Longer than the servers' statement timeout at times, so requests meet the client's.
        const frozenMs = this.random.int(2000, 15_000);
        return {
          kind,
          component: 'postgres',
          detail: `(SIGSTOP for ${(frozenMs / 1000).toFixed(1)} s)`,
          apply: async () => this.cluster.postgres.freeze(),
          healAfterMs: frozenMs,
          heal: async () => this.cluster.postgres.thaw(),
        };
      }
      case 'stop-redis':
        return {
          kind,
          component: 'redis',
          detail: '',
          apply: () => this.cluster.stopRedis(),
          healAfterMs: this.random.int(1000, 5000),
          heal: () => this.cluster.startRedis(),
        };
      case 'flush-redis':
        return {
          kind,
          component: 'redis',
          detail: '(FLUSHALL)',
          apply: () => this.cluster.flushRedis(),
          healAfterMs: 0,
          heal: async () => undefined,
        };
    }
  }

  private killAndRestart(kind: FaultKind, server: ServerProcess): Fault {
    return {
      kind,
      component: server.name,
      detail: `${server.name} (SIGKILL)`,
      apply: () => server.kill(),
      healAfterMs: this.random.int(1000, 3000),
      heal: async () => server.start(),
    };
  }
}
