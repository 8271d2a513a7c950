import { log } from './log';

/** Runs once, in reverse order of registration, whether the run ends, fails or is interrupted. */
export class Cleanup {
  private readonly steps: Array<() => Promise<void>> = [];
  private running: Promise<void> | undefined;

  add(step: () => Promise<void>): void {
    this.steps.push(step);
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        await step().catch((error: Error) => log(`cleanup: ${error.message}`));
      }
    })();
    return this.running;
  }
}
