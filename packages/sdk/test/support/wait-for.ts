import { setTimeout as delay } from 'node:timers/promises';

/**
 * Polls `check` until it returns true. It fails when `progress` (a count that should keep
 * growing, e.g. scores stored) has not moved for `stallMs`, so a slow machine waits longer and a
 * stuck one fails early.
 */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  progress: () => Promise<number> | number = () => 0,
  { stallMs = 30_000, pollMs = 50 } = {},
): Promise<void> {
  let last = await progress();
  let movedAt = Date.now();
  for (;;) {
    if (await check()) return;
    const now = await progress();
    if (now !== last) {
      last = now;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs) {
      throw new Error(`waiting for ${what}: no progress in ${stallMs} ms (at ${now})`);
    }
    await delay(pollMs);
  }
}
