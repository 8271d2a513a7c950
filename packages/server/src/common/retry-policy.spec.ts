import { describe, expect, it } from 'vitest';
import { backoffMs, isLastAttempt } from './retry-policy';

const policy = { baseMs: 100, maxMs: 1000, maxAttempts: 4 };

describe('backoffMs', () => {
  it('doubles per attempt, between half and all of the exponential delay', () => {
    expect([1, 2, 3].map((attempt) => backoffMs(policy, attempt, () => 0))).toEqual([50, 100, 200]);
    expect([1, 2, 3].map((attempt) => backoffMs(policy, attempt, () => 1))).toEqual([
      100, 200, 400,
    ]);
  });

  it('never exceeds the cap', () => {
    expect(backoffMs(policy, 30, () => 1)).toBe(1000);
    expect(backoffMs(policy, 30, () => 0)).toBe(500);
  });

  it('spreads retries with jitter', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffMs(policy, 3)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(200);
      expect(delay).toBeLessThanOrEqual(400);
    }
  });
});

describe('isLastAttempt', () => {
  it('is true from the configured number of attempts on', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => isLastAttempt(policy, attempt))).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
  });
});
