import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/backoff.js';
import { parseRetryAfter } from '../src/errors.js';

describe('backoffDelay', () => {
  it('doubles its ceiling with each attempt up to the cap, the jitter choosing below it', () => {
    const highest = (attempt: number) =>
      backoffDelay(attempt, { baseMs: 100, maxMs: 1000 }, () => 0.999999);
    expect([1, 2, 3, 4, 5, 6].map(highest)).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 1000 }, () => 0)).toBe(0);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 1000 }, () => 0.5)).toBe(200);
  });

  it('waits at least the server’s Retry-After, within the cap', () => {
    expect(backoffDelay(1, { baseMs: 100, maxMs: 60_000 }, () => 0, 2000)).toBe(2000);
    expect(backoffDelay(1, { baseMs: 100, maxMs: 1000 }, () => 0, 2000)).toBe(1000);
    expect(backoffDelay(8, { baseMs: 100, maxMs: 60_000 }, () => 0.9, 2000)).toBe(11_520);
  });

  it('stays finite for very many attempts', () => {
    expect(backoffDelay(10_000, { baseMs: 500, maxMs: 30_000 }, () => 0.5)).toBe(15_000);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores anything else', () => {
    const now = Date.parse('2026-12-06T12:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Sun, 06 Dec 2026 12:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
