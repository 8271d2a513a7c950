import { describe, expect, it } from 'vitest';
import { parseEvent } from '../src/stream.js';

describe('parseEvent', () => {
  it('reads the event name and JSON data of one Server-Sent Event', () => {
    expect(parseEvent('event: stats\ndata: {"total_scores":3}')).toEqual({
      type: 'stats',
      data: { total_scores: 3 },
    });
    expect(parseEvent(': comment\r\nevent: rank\r\ndata: {"rank":1}')).toEqual({
      type: 'rank',
      data: { rank: 1 },
    });
    expect(parseEvent('data: plain')).toEqual({ type: 'message', data: 'plain' });
    expect(parseEvent(': only a comment')).toBeUndefined();
  });
});
