import { describe, expect, it } from 'vitest';
import { distinctNames } from './distinct-names';

const shown = (...people: Array<[id: string, name: string]>) =>
  Object.fromEntries(distinctNames(people.map(([id, name]) => ({ id, name }))));

describe('distinct names', () => {
  it('leaves names that differ as they are', () => {
    expect(shown(['1', 'ada'], ['2', 'grace'])).toEqual({ '1': 'ada', '2': 'grace' });
  });

  it('adds the user id to every one of two people of the same name', () => {
    expect(shown(['42', 'ada'], ['7', 'grace'], ['43', 'ada'])).toEqual({
      '42': 'ada · #42',
      '7': 'grace',
      '43': 'ada · #43',
    });
  });

  it('treats names that differ only in case or spacing as the same', () => {
    expect(shown(['1', 'Ada Lovelace'], ['2', 'ada  lovelace '], ['3', 'ＡＤＡ lovelace'])).toEqual(
      {
        '1': 'Ada Lovelace · #1',
        '2': 'ada  lovelace · #2',
        '3': 'ＡＤＡ lovelace · #3',
      },
    );
  });

  it('does not mark a person listed twice as two', () => {
    expect(shown(['1', 'ada'], ['1', 'ada'])).toEqual({ '1': 'ada' });
  });
});
