/**
 * Turns a burst of "something changed" signals into few runs of one task: a signal runs the task
 * at once when it has been idle, and signals that arrive while it runs or within `windowMs` after
 * a run ended share one more run at the end of that window. So runs start at least `windowMs`
 * apart, and every signal is followed by a run that starts after it: the last change of a burst
 * is never missed.
 */
export class Coalescer {
  /** A signal came after the current or last run started: one more run is owed. */
  private pending = false;
  private running = false;
  private cooldown: NodeJS.Timeout | undefined;
  private stopped = false;

  /** `task` handles its own errors: a run that failed is over, and the next signal runs it again. */
  constructor(
    private readonly task: () => Promise<void>,
    private readonly windowMs: number,
  ) {}

  signal(): void {
    if (this.stopped) return;
    this.pending = true;
    if (!this.running && !this.cooldown) void this.run();
  }

  /** Drops what is owed and runs nothing more (shutdown). */
  stop(): void {
    this.stopped = true;
    this.pending = false;
    clearTimeout(this.cooldown);
    this.cooldown = undefined;
  }

  private async run(): Promise<void> {
    this.pending = false;
    this.running = true;
    try {
      await this.task();
    } finally {
      this.running = false;
      if (!this.stopped) {
        this.cooldown = setTimeout(() => {
          this.cooldown = undefined;
          if (this.pending) void this.run();
        }, this.windowMs);
      }
    }
  }
}
