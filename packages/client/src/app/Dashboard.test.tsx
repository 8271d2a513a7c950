import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LeaderboardEntry, LeaderboardPage, Stats } from '../api/types';
import type { Session } from '../features/auth/session-store';
import { Dashboard } from './Dashboard';

const ME = '7';
const session: Session = {
  token: 'token',
  user: { id: ME, email: 'me@example.com', display_name: 'Me' },
  expiresAt: Date.now() + 3_600_000,
};

const entry = (rank: number, userId: string, highScore: number): LeaderboardEntry => ({
  rank,
  user_id: userId,
  display_name: userId === ME ? 'Me' : `Player ${userId}`,
  high_score: highScore,
  achieved_at: '2026-01-01T00:00:00.000Z',
});
/** A top 10 of other players, with `players` in all. */
const topWithoutMe = (players: number): LeaderboardPage => ({
  items: Array.from({ length: 10 }, (_, i) => entry(i + 1, String(100 + i), 100 - i)),
  total_players: players,
});
const topWithMe = (players: number): LeaderboardPage => ({
  items: [entry(1, ME, 100), ...topWithoutMe(players).items.slice(0, 9)].map((e, i) => ({
    ...e,
    rank: i + 1,
  })),
  total_players: players,
});
const myStats: Stats = {
  user_id: ME,
  total_scores: 3,
  average: 30,
  high_score: 40,
  pending_scores: 0,
  updated_at: '2026-01-01T00:00:00.000Z',
};

/**
 * A stand-in for the server: answers the dashboard's queries, counts the requests for my rank,
 * and holds GET /api/stream open for the test to send events on.
 */
function fakeServer() {
  const encoder = new TextEncoder();
  let stream: ReadableStreamDefaultController<Uint8Array> | undefined;
  const server = {
    rankRequests: 0,
    send(type: string, data: unknown) {
      stream!.enqueue(encoder.encode(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`));
    },
  };
  const answers: Record<string, () => unknown> = {
    '/api/config': () => ({ score_min: 0, score_max: 100 }),
    '/api/me/stats': () => myStats,
    '/api/me/scores?limit=50': () => ({ items: [], next_cursor: null }),
    '/api/leaderboard?limit=10': () => topWithoutMe(20),
    '/api/leaderboard/me?radius=3': () => {
      server.rankRequests += 1;
      return { rank: 15, items: [entry(15, ME, 40)] };
    },
  };
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      if (url === '/api/stream') {
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            stream = controller;
            init?.signal?.addEventListener('abort', () =>
              controller.error(new DOMException('aborted', 'AbortError')),
            );
          },
        });
        return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
      }
      const answer = answers[url];
      if (!answer) throw new Error(`unexpected request ${url}`);
      return Response.json(answer());
    }),
  );
  return server;
}

/** Renders the dashboard and waits until its queries have loaded and the stream is open. */
async function renderDashboard() {
  const server = fakeServer();
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <Dashboard session={session} />
    </QueryClientProvider>,
  );
  await screen.findByText(/You are #15\./);
  expect((await screen.findByTestId('high-score')).textContent).toBe('40');
  await waitFor(() => expect(server.rankRequests).toBe(1));
  // The stream's first events, as the server sends them on connect: the state already shown.
  server.send('stats', myStats);
  server.send('leaderboard', topWithoutMe(20));
  await screen.findByText('Live');
  return server;
}

/** Sends a top 10 and waits until the dashboard shows it (its player count is unique). */
async function sendTop(server: ReturnType<typeof fakeServer>, top: LeaderboardPage) {
  server.send('leaderboard', top);
  await screen.findByText(new RegExp(`^${top.total_players} players\\.`));
}

describe('the dashboard’s live updates', () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it('fetches my rank again for a top 10 that holds me or just lost me, not for one without me', async () => {
    const server = await renderDashboard();
    await sendTop(server, topWithoutMe(21));
    await sendTop(server, topWithoutMe(22));
    expect(server.rankRequests).toBe(1);

    await sendTop(server, topWithMe(23));
    await waitFor(() => expect(server.rankRequests).toBe(2));
    await sendTop(server, topWithoutMe(24)); // I left the top 10
    await waitFor(() => expect(server.rankRequests).toBe(3));
    await sendTop(server, topWithoutMe(25));
    // Had the pushes without me fetched it, the count would be higher by now.
    await sendTop(server, topWithMe(26));
    await waitFor(() => expect(server.rankRequests).toBe(4));
    expect(server.rankRequests).toBe(4);
  });

  it('fetches my rank again when my high score or score count changes, not for other stats', async () => {
    const server = await renderDashboard();
    server.send('stats', { ...myStats, pending_scores: 1 });
    await screen.findByText('1 pending');
    expect(server.rankRequests).toBe(1);

    server.send('stats', { ...myStats, total_scores: 4, average: 25 });
    await waitFor(() => expect(server.rankRequests).toBe(2));
    server.send('stats', { ...myStats, total_scores: 5, high_score: 60, average: 32 });
    await waitFor(() => expect(server.rankRequests).toBe(3));
    expect(screen.getByTestId('high-score').textContent).toBe('60');
  });
});
