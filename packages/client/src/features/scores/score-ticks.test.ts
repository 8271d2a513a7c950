import { describe, expect, it } from 'vitest';
import { fitAxis, scoreTicks } from './score-ticks';

describe('score ticks', () => {
  it('labels a 0 to 100 board every 20', () => {
    expect(scoreTicks(0, 100)).toEqual([0, 20, 40, 60, 80, 100]);
  });

  it('keeps to round values inside a range that does not start on one', () => {
    expect(scoreTicks(1, 100_000)).toEqual([20_000, 40_000, 60_000, 80_000, 100_000]);
    expect(scoreTicks(13, 99)).toEqual([20, 40, 60, 80]);
  });

  it('labels only whole numbers on a narrow range', () => {
    expect(scoreTicks(0, 3)).toEqual([0, 1, 2, 3]);
  });

  it('labels the one value of an empty range', () => {
    expect(scoreTicks(5, 5)).toEqual([5]);
  });
});

describe('fitAxis', () => {
  it('fits the axis to the scores, within the board’s range', () => {
    const axis = fitAxis([182_000, 203_600, 197_398], 1, 3_600_000);
    expect(axis.min).toBeGreaterThanOrEqual(170_000);
    expect(axis.min).toBeLessThanOrEqual(182_000);
    expect(axis.max).toBeGreaterThanOrEqual(203_600);
    expect(axis.max).toBeLessThanOrEqual(220_000);
    expect(fitAxis([2, 98], 0, 100)).toMatchObject({ min: 0, max: 100 });
  });

  it('gives one value room around it, and shows the board’s range before any score', () => {
    const single = fitAxis([50], 0, 100);
    expect(single.min).toBeLessThan(50);
    expect(single.max).toBeGreaterThan(50);
    expect(fitAxis([], 0, 100)).toMatchObject({ min: 0, max: 100 });
  });
});
