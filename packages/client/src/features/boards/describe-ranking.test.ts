import { describe, expect, it } from 'vitest';
import { makeBoard } from '../../test/make-board';
import { describeRanking } from './describe-ranking';

describe('a board’s ranking in words', () => {
  it('names a sum board’s total by the period it resets on, and a past period’s plainly', () => {
    const total = (reset: string, current = true) =>
      describeRanking(makeBoard({ ranking: 'sum', reset }), current).label;
    expect(total('never')).toBe('Total all time');
    expect(total('daily')).toBe('Total today');
    expect(total('weekly')).toBe('Total this week');
    expect(total('monthly')).toBe('Total this month');
    expect(total('0 6 * * 1')).toBe('Total this season');
    expect(total('weekly', false)).toBe('Total of the period');
    expect(describeRanking(makeBoard({ ranking: 'sum' })).column).toBe('Total');
  });

  it('says most games for a count board and latest for a latest board', () => {
    expect(describeRanking(makeBoard({ ranking: 'count' }))).toEqual({
      label: 'Most games',
      column: 'Games',
    });
    expect(describeRanking(makeBoard({ ranking: 'latest', sort: 'asc' }))).toEqual({
      label: 'Latest',
      column: 'Latest score',
    });
  });

  it('calls a best board’s value the best by its sort, also when the server names no ranking', () => {
    expect(describeRanking(makeBoard({ ranking: 'best', sort: 'desc' }))).toEqual({
      label: 'Best score',
      column: 'High score',
    });
    expect(describeRanking(makeBoard({ ranking: undefined, sort: 'asc' }))).toEqual({
      label: 'Fastest time',
      column: 'Best (lowest)',
    });
  });
});
