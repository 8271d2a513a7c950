import { describe, expect, it } from 'vitest';
import { compareIds, summarise, type ClaimedScore } from './batch-summary';

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second));
const score = (id: number, userId: string, value: number, second: number): ClaimedScore => ({
  id: String(id),
  userId,
  value,
  createdAt: at(second),
});

describe('summarise', () => {
  it('adds count and an exact integer sum, and keeps the max per user', () => {
    const deltas = summarise([score(1, '7', 10, 1), score(2, '7', 30, 2), score(3, '7', 20, 3)]);
    expect(deltas).toEqual([{ userId: '7', count: 3, sum: 60, max: 30, maxReachedAt: at(2) }]);
  });

  it('dates the max by its earliest occurrence, whatever the order the batch arrived in', () => {
    const deltas = summarise([score(5, '1', 50, 9), score(3, '1', 50, 4), score(4, '1', 49, 1)]);
    expect(deltas[0]).toMatchObject({ max: 50, maxReachedAt: at(4) });
  });

  it('returns one delta per user in numeric user id order', () => {
    const deltas = summarise([
      score(1, '10', 1, 1),
      score(2, '9', 2, 2),
      score(3, '100', 3, 3),
      score(4, '9', 4, 4),
    ]);
    expect(deltas.map((d) => [d.userId, d.count])).toEqual([
      ['9', 2],
      ['10', 1],
      ['100', 1],
    ]);
  });

  it('handles negative scores', () => {
    expect(summarise([score(1, '1', -5, 1), score(2, '1', -9, 2)])[0]).toMatchObject({
      sum: -14,
      max: -5,
    });
  });
});

describe('compareIds', () => {
  it('orders numerically, not lexically', () => {
    expect(['10', '9', '100', '11'].sort(compareIds)).toEqual(['9', '10', '11', '100']);
  });
});
