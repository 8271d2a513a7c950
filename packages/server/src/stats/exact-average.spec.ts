import { describe, expect, it } from 'vitest';
import { exactAverage } from './stats.service';

describe('exactAverage', () => {
  it('is the plain quotient for sums a double holds exactly', () => {
    expect(exactAverage(65n, 3)).toBe(65 / 3);
    expect(exactAverage(-7n, 2)).toBe(-3.5);
    expect(exactAverage(0n, 0)).toBe(0);
  });

  it('divides sums beyond 2^53 in integers first', () => {
    // 154,272,509 scores averaging about 7.1e8: the sum is past 2^53, so as a double it is
    // already rounded, and dividing that gives 711178002.1098063, one step below the true average.
    const sum = 109_715_214_731_087_127n;
    expect(Number(sum) / 154_272_509).toBe(711178002.1098063);
    expect(exactAverage(sum, 154_272_509)).toBe(711178002.1098064);
    expect(exactAverage(-sum, 154_272_509)).toBe(-711178002.1098064);
  });
});
