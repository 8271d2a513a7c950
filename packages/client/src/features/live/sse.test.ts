import { describe, expect, it } from 'vitest';
import { readServerEvents } from './sse';

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      chunks.forEach((chunk) => controller.enqueue(encoder.encode(chunk)));
      controller.close();
    },
  });
}

describe('readServerEvents', () => {
  it('parses typed events split across chunks', async () => {
    const events = [];
    for await (const event of readServerEvents(
      streamOf(
        'event: stats\ndata: {"total_scores"',
        ':1}\n\nevent: leader',
        'board\ndata: {"items":[]}\n\n',
      ),
    )) {
      events.push(event);
    }
    expect(events).toEqual([
      { type: 'stats', data: { total_scores: 1 } },
      { type: 'leaderboard', data: { items: [] } },
    ]);
  });

  it('ignores comments and handles CRLF line ends', async () => {
    const events = [];
    for await (const event of readServerEvents(
      streamOf(': ping\r\n\r\nevent: heartbeat\r\ndata: {}\r\n\r\n'),
    )) {
      events.push(event);
    }
    expect(events).toEqual([{ type: 'heartbeat', data: {} }]);
  });
});
