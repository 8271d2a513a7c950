const started = Date.now();

/** Seconds since the run started, the time base of every line the run prints. */
export function elapsedSeconds(): number {
  return (Date.now() - started) / 1000;
}

/** One timestamped line on stdout: the run's own history, next to the processes' log files. */
export function log(message: string): void {
  process.stdout.write(`[${elapsedSeconds().toFixed(1).padStart(6)}s] ${message}\n`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
