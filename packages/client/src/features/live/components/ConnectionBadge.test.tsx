import { act, cleanup, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { renderWithClient } from '../../../test/render-with-client';
import { useLiveUpdates } from '../useLiveUpdates';
import { ConnectionBadge } from './ConnectionBadge';

function Badge() {
  return <ConnectionBadge status={useLiveUpdates('token', '7', 'global')} />;
}

const encoder = new TextEncoder();

/**
 * GET /api/stream as the test says: `up` answers a stream that sends the first event at once and
 * stays open; `down` fails like a refused connection. Counts the attempts.
 */
function streamServer() {
  const server = { up: true, attempts: 0 };
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_url: string, init?: RequestInit) => {
      server.attempts += 1;
      if (!server.up) throw new TypeError('Failed to fetch');
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encoder.encode('event: heartbeat\ndata: {}\n\n'));
          init?.signal?.addEventListener('abort', () =>
            controller.error(new DOMException('aborted', 'AbortError')),
          );
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    }),
  );
  return server;
}

const badge = () => screen.getByRole('status').textContent;

describe('ConnectionBadge with the live stream', () => {
  let online = true;
  beforeEach(() => {
    online = true;
    vi.spyOn(navigator, 'onLine', 'get').mockImplementation(() => online);
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('says Offline while the browser is, and Live again once it is back online', async () => {
    const server = streamServer();
    renderWithClient(<Badge />);
    expect(await screen.findByText('Live')).toBeTruthy();

    online = false;
    act(() => void window.dispatchEvent(new Event('offline')));
    expect(badge()).toBe('Offline');

    online = true;
    act(() => void window.dispatchEvent(new Event('online')));
    expect(await screen.findByText('Live')).toBeTruthy();
    expect(server.attempts).toBe(2);
  });

  it('says Reconnecting while it retries, and Offline once several attempts in a row failed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // The backoff's jitter at its ceiling: retries after 0.5, 1, 2 and 4 s (just under each).
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    const server = streamServer();
    server.up = false;
    renderWithClient(<Badge />);
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(server.attempts).toBe(1);
    expect(badge()).toBe('Reconnecting…');

    await act(() => vi.advanceTimersByTimeAsync(1000));
    expect(server.attempts).toBe(2);
    expect(badge()).toBe('Reconnecting…');

    await act(() => vi.advanceTimersByTimeAsync(2000));
    expect(server.attempts).toBe(3);
    expect(badge()).toBe('Offline');

    // It keeps trying, and says Live as soon as an attempt gets through.
    server.up = true;
    await act(() => vi.advanceTimersByTimeAsync(4000));
    expect(server.attempts).toBe(4);
    expect(badge()).toBe('Live');
  });

  it('does not try while the browser is offline', async () => {
    online = false;
    const server = streamServer();
    renderWithClient(<Badge />);
    expect(badge()).toBe('Offline');
    await act(() => Promise.resolve());
    expect(server.attempts).toBe(0);
  });
});
