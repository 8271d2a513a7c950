import { describe, expect, it } from 'vitest';
import { formatRanked, formatValue } from './format-value';

/** The tests run with Node's default locale, en-US: "," groups thousands, "." marks decimals. */
describe('formatValue', () => {
  it('groups the thousands of an integer board, and of a board from before formats', () => {
    expect(formatValue(1234567, { display_format: 'integer' })).toBe('1,234,567');
    expect(formatValue(42, {})).toBe('42');
  });

  it('shows a decimal board’s value in units of 10^-N with N decimals', () => {
    expect(formatValue(123456, { display_format: 'decimal:2' })).toBe('1,234.56');
    expect(formatValue(5, { display_format: 'decimal:3' })).toBe('0.005');
    expect(formatValue(-150, { display_format: 'decimal:1' })).toBe('-15.0');
  });

  it('shows times in milliseconds as m:ss.mmm and in seconds as m:ss, hours when there are', () => {
    expect(formatValue(93125, { display_format: 'duration:ms' })).toBe('1:33.125');
    expect(formatValue(59, { display_format: 'duration:s' })).toBe('0:59');
    expect(formatValue(3_723_004, { display_format: 'duration:ms' })).toBe('1:02:03.004');
    expect(formatValue(203600.4, { display_format: 'duration:ms' })).toBe('3:23.600');
  });

  it('rounds an average to what the format shows', () => {
    expect(formatValue(74.71, { display_format: 'integer' })).toBe('75');
    expect(formatValue(1234.5, { display_format: 'decimal:2' })).toBe('12.35');
  });

  it('puts the unit after the value', () => {
    expect(formatValue(1200, { display_format: 'integer', unit: 'pts' })).toBe('1,200 pts');
    expect(formatValue(1200, { display_format: 'integer', unit: null })).toBe('1,200');
  });
});

describe('formatRanked', () => {
  it('reads a count board’s value as a number of scores, without the board’s unit', () => {
    const board = { ranking: 'count' as const, display_format: 'duration:ms' as const, unit: 's' };
    expect(formatRanked(3, board)).toBe('3');
    expect(formatRanked(3000, { ...board, ranking: 'sum' })).toBe('0:03.000 s');
  });
});
