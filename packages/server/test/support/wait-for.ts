import type { NodeProcess } from './processes';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a truthy value (which it returns), or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T> | T,
  { timeoutMs = 20_000, intervalMs = 50, what = 'condition' } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${what}; last: ${String(last)}`);
    await sleep(intervalMs);
  }
}

/** One reading of work in progress: a counter that grows while the work moves, and whether it is done. */
export type Progress = { done: boolean; count: number; detail?: string };

export type ProgressOptions = {
  /** What is awaited, for the message: "every score to be applied". */
  what: string;
  /** What `count` counts, for the message: "applied scores". */
  counter?: string;
  /** Fails when `count` has not grown for this long. */
  stallMs?: number;
  /** Fails after this long in all, even while `count` still grows. */
  timeoutMs?: number;
  intervalMs?: number;
};

/** How long work may make no measurable progress before a wait fails: well above any pause a busy machine causes. */
export const STALL_MS = 30_000;
/** The cap on a whole progress-based wait: generous, since a stall fails it long before. */
export const PROGRESS_TIMEOUT_MS = 10 * 60_000;

/**
 * Waits for work measured by a counter (applied scores, say) to be done, for as long as the
 * counter keeps growing: a slow, loaded machine gets there late, while a stuck pipeline fails
 * after `stallMs` without progress, with a message naming what stalled and where it stood.
 * A `measure` that throws counts as no progress (its error is in the message).
 */
export async function waitForProgress(
  measure: () => Promise<Progress> | Progress,
  {
    what,
    counter = 'progress',
    stallMs = STALL_MS,
    timeoutMs = PROGRESS_TIMEOUT_MS,
    intervalMs = 100,
  }: ProgressOptions,
): Promise<void> {
  const started = Date.now();
  let best = -Infinity;
  let movedAt = started;
  let last: string;
  for (;;) {
    try {
      const reading = await measure();
      if (reading.done) return;
      if (reading.count > best) {
        best = reading.count;
        movedAt = Date.now();
      }
      last = `${counter} ${reading.count}${reading.detail ? `, ${reading.detail}` : ''}`;
    } catch (error) {
      last = `reading failed: ${(error as Error).message ?? String(error)}`;
    }
    const now = Date.now();
    const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
    if (now - movedAt > stallMs) {
      throw new Error(
        `Stalled waiting for ${what}: ${counter} did not grow for ${seconds(now - movedAt)} ` +
          `(${seconds(now - started)} in; last: ${last})`,
      );
    }
    if (now - started > timeoutMs) {
      throw new Error(
        `Timed out waiting for ${what} after ${seconds(now - started)}, though still moving ` +
          `(last: ${last})`,
      );
    }
    await sleep(intervalMs);
  }
}

/**
 * Waits until a process it started answers GET `url` with 200. A start (Node.js, Nest, migrations)
 * has no counter to watch, so it gets a generous limit; a process that exits meanwhile fails the
 * wait at once, with its output.
 */
export async function waitForProcess(
  child: NodeProcess,
  url: string,
  { what = 'a process to start', timeoutMs = 3 * 60_000 } = {},
): Promise<void> {
  const state = await waitFor(
    async () => {
      if (child.child.exitCode !== null || child.child.signalCode !== null) return 'exited';
      const response = await fetch(url);
      await response.body?.cancel();
      return response.status === 200 ? 'answering' : undefined;
    },
    { timeoutMs, intervalMs: 200, what },
  );
  if (state === 'exited') {
    throw new Error(
      `Waiting for ${what}: it exited (${child.child.exitCode ?? child.child.signalCode}): ${child.output()}`,
    );
  }
}
