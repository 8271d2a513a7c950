import { describe, expect, it } from 'vitest';
import { eventShard, eventStreamName } from './event-shards';

describe('eventShard', () => {
  it('sends every user to shard 0 when there is one shard', () => {
    for (let id = 1; id <= 100; id++) expect(eventShard(String(id), 1)).toBe(0);
  });

  it('sends the same user to the same shard every time, within range', () => {
    for (let id = 1; id <= 1000; id++) {
      const shard = eventShard(String(id), 3);
      expect(shard).toBeGreaterThanOrEqual(0);
      expect(shard).toBeLessThan(3);
      expect(eventShard(String(id), 3)).toBe(shard);
    }
  });

  it('spreads consecutive user ids over every shard, none with more than twice its share', () => {
    for (const shards of [2, 3, 7, 64]) {
      const counts = new Array<number>(shards).fill(0);
      for (let id = 1; id <= 6400; id++) counts[eventShard(String(id), shards)]!++;
      expect(Math.min(...counts)).toBeGreaterThan(0);
      expect(Math.max(...counts)).toBeLessThan((2 * 6400) / shards);
    }
  });
});

describe('eventStreamName', () => {
  it('keeps the single stream’s name when there is one shard', () => {
    expect(eventStreamName(0, 1)).toBe('score-events');
  });

  it('gives each of several shards a hash tag of its own', () => {
    expect([0, 1, 2].map((shard) => eventStreamName(shard, 3))).toEqual([
      '{score-events:0}',
      '{score-events:1}',
      '{score-events:2}',
    ]);
  });
});
