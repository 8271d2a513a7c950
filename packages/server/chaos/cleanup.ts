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

/**
 * Runs a chaos run to its exit code, whatever happens: 0 when it passed, 1 when an invariant
 * failed, 2 when it could not run, 130 on SIGINT/SIGTERM. The cleanup runs in every case.
 */
export async function runToExit(
  runDir: string,
  run: (cleanup: Cleanup) => Promise<boolean>,
): Promise<never> {
  const cleanup = new Cleanup();
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      log(`${signal}: stopping everything`);
      void cleanup.run().finally(() => process.exit(130));
    });
  }
  let exitCode = 2;
  try {
    exitCode = (await run(cleanup)) ? 0 : 1;
  } catch (error) {
    if (!interrupted) log(`the run failed: ${(error as Error).stack ?? String(error)}`);
    log(`logs: ${runDir}`);
  } finally {
    await cleanup.run();
  }
  process.exit(exitCode);
}
