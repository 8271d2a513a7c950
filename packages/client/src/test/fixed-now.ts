import { vi } from 'vitest';

/** The moment the tests' relative times are read from: "5 days ago" is then always so. */
export const NOW = '2026-11-25T12:30:00.000Z';

/** Stops the clock at {@link NOW}, Date only: timers and promises run as usual. */
export function fixNow() {
  vi.useFakeTimers({ now: new Date(NOW), toFake: ['Date'] });
}
