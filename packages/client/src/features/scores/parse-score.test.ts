import { describe, expect, it } from 'vitest';
import { parseScore } from './parse-score';

describe('parseScore', () => {
  it('takes a whole number within the range, its ends included', () => {
    expect(parseScore('0', 0, 100)).toBe(0);
    expect(parseScore(' 42 ', 0, 100)).toBe(42);
    expect(parseScore('100', 0, 100)).toBe(100);
    expect(parseScore('-5', -10, 10)).toBe(-5);
  });

  it('refuses an empty field, a fraction, text and a number out of the range', () => {
    expect(parseScore('', 0, 100)).toBeNull();
    expect(parseScore('  ', 0, 100)).toBeNull();
    expect(parseScore('12.5', 0, 100)).toBeNull();
    expect(parseScore('abc', 0, 100)).toBeNull();
    expect(parseScore('101', 0, 100)).toBeNull();
    expect(parseScore('-1', 0, 100)).toBeNull();
    expect(parseScore('1e400', 0, 100)).toBeNull();
  });
});
