import type { Logger } from '@nestjs/common';
import { failureClass, type FailureClass } from './failure-class';
import { backoffMs } from './retry-policy';

export type LoopOptions = {
  /** Pause after a step that found nothing to do (a step that did work runs again at once). */
  idleMs: number;
  /** Backoff after consecutive failures: doubles from `idleMs` up to this, with jitter. */
  maxBackoffMs: number;
  /** Told about every failed step, with its class (metrics hook in here). */
  onFailure?: (failureClass: FailureClass) => void;
};

/** What a step reports: whether it did work (then it runs again at once) or found none. */
export type StepResult = 'worked' | 'idle';

/**
 * The one way the process runs background work (worker, sweeper, leaderboard upkeep): a step
 * called over and over until `stop()`, never two at once. A failing step never ends the loop: it
 * backs off (exponentially, with jitter, capped) and tries again, so the loop outlives database
 * restarts and Redis outages. A failure is logged when it starts and every 20th time while it
 * lasts, and the recovery once.
 */
export class BackgroundLoop {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly name: string,
    private readonly step: () => Promise<StepResult>,
    private readonly options: LoopOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Ends the loop after the step in progress; a pause in progress is cut short. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** A pause that `stop()` cuts short, for steps that wait inside themselves. */
  sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let pause = this.options.idleMs;
      try {
        const result = await this.step();
        if (failures > 0) this.logger.log({ loop: this.name, failures }, 'Recovered');
        failures = 0;
        if (result === 'worked') pause = 0;
      } catch (error) {
        failures += 1;
        const kind = failureClass(error);
        this.options.onFailure?.(kind);
        if (failures === 1 || failures % 20 === 0) {
          const fields = { loop: this.name, failures, failureClass: kind, err: error };
          if (kind === 'permanent') this.logger.error(fields, 'Background step failed');
          else this.logger.warn(fields, 'Background step failed, will retry');
        }
        const policy = {
          baseMs: Math.max(50, this.options.idleMs),
          maxMs: this.options.maxBackoffMs,
        };
        pause = backoffMs(policy, failures);
      }
      if (pause > 0) await this.sleep(pause);
    }
  }
}
