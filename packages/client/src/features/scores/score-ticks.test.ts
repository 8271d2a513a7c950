import { describe, expect, it } from 'vitest';
import { scoreTicks } from './score-ticks';

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
