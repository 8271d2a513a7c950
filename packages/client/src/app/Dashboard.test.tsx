import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { queryKeys } from '../api/queries';
import type { LeaderboardEntry, LeaderboardPage, Stats } from '../api/types';
import type { Session } from '../features/auth/session-store';
import { makeBoard } from '../test/make-board';
import { renderWithClient } from '../test/render-with-client';
import { Dashboard } from './Dashboard';

const ME = '7';
const session: Session = {
  token: 'token',
  user: { id: ME, email: 'me@example.com', display_name: 'Me' },
  expiresAt: Date.now() + 3_600_000,
};

const GLOBAL = makeBoard();
const RACE = makeBoard({
  id: 'race',
  name: 'Race',
  sort: 'asc',
  score_min: 1,
  score_max: 100_000,
  reset: 'daily',
  current_period: {
    id: '9',
    starts_at: '2026-01-01T00:00:00.000Z',
    ends_at: new Date(Date.now() + 3_600_000).toISOString(),
  },
});

const entry = (rank: number, userId: string, highScore: number): LeaderboardEntry => ({
  rank,
  user_id: userId,
  display_name: userId === ME ? 'Me' : `Player ${userId}`,
  high_score: highScore,
  achieved_at: '2026-01-01T00:00:00.000Z',
});
const period = { ...GLOBAL.current_period, final: false };
/** A top 10 of other players, with `players` in all. */
const topWithoutMe = (players: number): LeaderboardPage => ({
  items: Array.from({ length: 10 }, (_, i) => entry(i + 1, String(100 + i), 100 - i)),
  total_players: players,
  period,
});
const topWithMe = (players: number): LeaderboardPage => ({
  items: [entry(1, ME, 100), ...topWithoutMe(players).items.slice(0, 9)].map((e, i) => ({
    ...e,
    rank: i + 1,
  })),
  total_players: players,
  period,
});
/** The stream's form of a top 10: the board and period it is of, the period without `final`. */
const pushed = (top: LeaderboardPage, boardId = 'global') => ({
  board: boardId,
  items: top.items,
  total_players: top.total_players,
  period: { id: top.period.id, starts_at: top.period.starts_at, ends_at: top.period.ends_at },
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
 * A stand-in for the server: answers the dashboard's queries (with a 500 for the paths in
 * `failing`, while they are there), counts the requests per URL, and holds each GET /api/stream
 * open for the test to send events on.
 */
function fakeServer(role: 'player' | 'admin' = 'player', failing = new Set<string>()) {
  const encoder = new TextEncoder();
  /** While set, no request gets an answer: the server is gone. */
  let gone = false;
  const streams = new Map<string, ReadableStreamDefaultController<Uint8Array>>();
  const requests = new Map<string, number>();
  /** Per URL, the answer the next request waits for (see `hold`). */
  const held = new Map<string, { body: Promise<unknown>; sent?: Response }>();
  const server = {
    requests: (url: string) => requests.get(url) ?? 0,
    get rankRequests() {
      return server.requests('/api/boards/global/leaderboard/me?period=current&radius=3');
    },
    streams: () => [...streams.keys()],
    /**
     * The next request for `url` is answered only on `answer(body)`; `read()` says when the page
     * has read that answer's body.
     */
    hold(url: string) {
      let answer!: (body: unknown) => void;
      const hold: { body: Promise<unknown>; sent?: Response } = {
        body: new Promise((resolve) => (answer = resolve)),
      };
      held.set(url, hold);
      return { answer, read: () => hold.sent?.bodyUsed ?? false };
    },
    /** The server stops answering: open streams break, new requests fail as a browser's do. */
    goAway() {
      gone = true;
      for (const [url, controller] of streams) {
        streams.delete(url);
        controller.error(new TypeError('network error'));
      }
    },
    comeBack() {
      gone = false;
    },
    send(type: string, data: unknown, stream = '/api/stream?boards=global') {
      streams
        .get(stream)!
        .enqueue(encoder.encode(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`));
    },
  };
  const raceTop: LeaderboardPage = {
    items: [entry(1, '100', 31_000), entry(2, ME, 32_500)],
    total_players: 2,
    period: { ...RACE.current_period, final: false },
  };
  const answers: Record<string, () => unknown> = {
    '/api/me': () => ({ ...session.user, role, created_at: '2026-01-01T00:00:00Z' }),
    '/api/boards': () => ({ items: [GLOBAL, RACE] }),
    '/api/me/boards': () => ({ items: [] }),
    '/api/me/results?limit=10': () => ({ items: [], next_cursor: null }),
    '/api/me/stats?board=global&period=current': () => myStats,
    '/api/me/scores?limit=50&board=global': () => ({ items: [], next_cursor: null }),
    '/api/boards/global/leaderboard?period=current&limit=10': () => topWithoutMe(20),
    '/api/boards/global/leaderboard/me?period=current&radius=3': () => ({
      rank: 15,
      items: [entry(15, ME, 40)],
      period,
    }),
    '/api/me/stats?board=race&period=current': () => ({ ...myStats, high_score: 32_500 }),
    '/api/me/scores?limit=50&board=race': () => ({ items: [], next_cursor: null }),
    '/api/boards/race/leaderboard?period=current&limit=10': () => raceTop,
    '/api/boards/race/leaderboard/me?period=current&radius=3': () => ({
      rank: 2,
      items: raceTop.items,
      period: raceTop.period,
    }),
    '/api/boards/race/periods?limit=5': () => ({ items: [], next_cursor: null }),
    '/api/admin/users?limit=20': () => ({ items: [], next_cursor: null }),
    '/api/admin/api-keys': () => ({ items: [] }),
    '/api/admin/audit-log?limit=20': () => ({ items: [], next_cursor: null }),
  };
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      requests.set(url, server.requests(url) + 1);
      if (gone) throw new TypeError('Failed to fetch');
      if (url.startsWith('/api/stream?')) {
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            streams.set(url, controller);
            init?.signal?.addEventListener('abort', () => {
              streams.delete(url);
              controller.error(new DOMException('aborted', 'AbortError'));
            });
          },
        });
        return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
      }
      const hold = held.get(url);
      if (hold) {
        held.delete(url);
        return (hold.sent = Response.json(await hold.body));
      }
      const answer = answers[url];
      if (!answer) throw new Error(`unexpected request ${url}`);
      if (failing.has(url.split('?')[0]!))
        return Response.json(
          { statusCode: 500, error: 'Internal Server Error', message: 'Internal error' },
          { status: 500 },
        );
      return Response.json(answer());
    }),
  );
  return server;
}

/** Renders the dashboard and waits until its queries have loaded and the stream is open. */
async function renderDashboard(role: 'player' | 'admin' = 'player') {
  const server = fakeServer(role);
  const client = renderWithClient(<Dashboard session={session} />);
  await screen.findByText(/You are #15\./);
  expect((await screen.findByTestId('high-score')).textContent).toBe('40');
  await waitFor(() => expect(server.rankRequests).toBe(1));
  // The stream's first events, as the server sends them on connect: the state already shown.
  server.send('stats', myStats);
  server.send('leaderboard', pushed(topWithoutMe(20)));
  await screen.findByText('Live');
  return Object.assign(server, { client });
}

/** Sends a top 10 and waits until the dashboard shows it (its player count is unique). */
async function sendTop(server: ReturnType<typeof fakeServer>, top: LeaderboardPage) {
  server.send('leaderboard', pushed(top));
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

  it('keeps my pushed stats when a fetch begun before them answers after them', async () => {
    const server = await renderDashboard();
    const url = '/api/me/stats?board=global&period=current';
    const key = queryKeys.stats('global', 'current');
    // As after a submission: my stats are fetched again, and the server reads them before the
    // score is applied; the score's push arrives first.
    const fetch = server.hold(url);
    void server.client.invalidateQueries({ queryKey: key });
    await waitFor(() => expect(server.requests(url)).toBe(2));
    server.send('stats', { ...myStats, total_scores: 4, high_score: 60, average: 25 });
    await waitFor(() => expect(screen.getByTestId('high-score').textContent).toBe('60'));

    fetch.answer(myStats);
    await waitFor(() => expect(fetch.read()).toBe(true));
    await waitFor(() => expect(server.client.isFetching({ queryKey: key })).toBe(0));
    expect(screen.getByTestId('high-score').textContent).toBe('60');
    expect(screen.getByTestId('total-scores').textContent).toBe('4');
  });

  it('fetches my rank again for a rank event of the board', async () => {
    const server = await renderDashboard();
    server.send('rank', { board: 'global', period: '1', rank: 14, previous_rank: 15 });
    await waitFor(() => expect(server.rankRequests).toBe(2));
  });

  it('follows the board picked: its own stream, leaderboard and standing, lowest first on an asc board', async () => {
    const server = await renderDashboard();
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText('Board'), 'race');

    await waitFor(() => expect(server.streams()).toEqual(['/api/stream?boards=race']));
    await screen.findByText(/You are #2\./);
    const leaderboard = screen.getByRole('region', { name: 'Leaderboard' });
    expect(within(leaderboard).getByRole('columnheader', { name: 'Best (lowest)' })).toBeTruthy();
    expect(within(leaderboard).getByText(/Lower is better/)).toBeTruthy();
    expect(screen.getByText('Best (lowest)', { selector: 'dt' })).toBeTruthy();
    expect(screen.getByTestId('high-score').textContent).toBe('32,500');
    expect(screen.getByText('A whole number from 1 to 100000.')).toBeTruthy();
    expect(screen.getByRole('timer', { name: 'Time until the next reset' })).toBeTruthy();

    // The race board's events now reach the dashboard.
    const raceRank = '/api/boards/race/leaderboard/me?period=current&radius=3';
    const before = server.requests(raceRank);
    server.send(
      'rank',
      { board: 'race', period: '9', rank: 1, previous_rank: 2 },
      '/api/stream?boards=race',
    );
    await waitFor(() => expect(server.requests(raceRank)).toBe(before + 1));
  });
});

describe('the dashboard’s panels', () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it('show a failed query with a Retry button each, which fetches it again', async () => {
    const failing = new Set([
      '/api/me/stats',
      '/api/me/scores',
      '/api/boards/race/leaderboard',
      '/api/boards/race/leaderboard/me',
      '/api/me/boards',
      '/api/boards/race/periods',
    ]);
    const server = fakeServer('player', failing);
    renderWithClient(<Dashboard session={session} />);
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByLabelText('Board'), 'race');
    const panels = [
      'My stats',
      'Leaderboard',
      'Periods',
      'My boards',
      'My scores over time',
      'My recent scores',
    ];
    for (const name of panels) {
      const panel = screen.getByRole('region', { name });
      expect(
        (await within(panel).findAllByRole('button', { name: 'Retry' })).length,
      ).toBeGreaterThan(0);
      expect(within(panel).getAllByRole('alert')[0]!.textContent).toBe('Internal error');
    }

    failing.clear();
    const stats = screen.getByRole('region', { name: 'My stats' });
    const before = server.requests('/api/me/stats?board=race&period=current');
    await user.click(within(stats).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(screen.getByTestId('high-score').textContent).toBe('32,500'));
    expect(server.requests('/api/me/stats?board=race&period=current')).toBe(before + 1);
    expect(within(stats).queryByRole('button', { name: 'Retry' })).toBeNull();
  });
});

describe('a server that stops answering', () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('shows one banner, not an error per panel, and catches up once it answers again', async () => {
    const server = await renderDashboard();
    const panels = ['My stats', 'Leaderboard', 'My boards', 'My recent scores'];
    server.goAway();
    // The stream's reconnection (after a second's backoff) is the first request left unanswered.
    const banner = await screen.findByText(/The server is not answering\./, undefined, {
      timeout: 10_000,
    });
    expect(banner.getAttribute('role')).toBe('alert');
    // The panels keep what they showed: fetched again while the server is gone, they say nothing.
    const myBoards = server.requests('/api/me/boards');
    await waitFor(() => expect(server.requests('/api/me/boards')).toBeGreaterThan(myBoards), {
      timeout: 15_000,
    });
    expect(screen.getAllByRole('alert')).toEqual([banner]);
    for (const name of panels) {
      const panel = screen.getByRole('region', { name });
      expect(within(panel).queryByRole('button', { name: 'Retry' })).toBeNull();
    }
    expect(screen.getByTestId('high-score').textContent).toBe('40');

    server.comeBack();
    const stats = server.requests('/api/me/stats?board=global&period=current');
    // The stream's next reconnection is answered: the banner goes, and everything is fetched again.
    await waitFor(() => expect(screen.queryByText(/The server is not answering/)).toBeNull(), {
      timeout: 20_000,
    });
    await waitFor(() =>
      expect(server.requests('/api/me/stats?board=global&period=current')).toBeGreaterThan(stats),
    );
    expect(screen.queryAllByRole('alert')).toEqual([]);
  });
});

describe('the admin page', () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    window.location.hash = '';
  });

  it('is neither linked nor shown for a player, even at its address', async () => {
    window.location.hash = '#/admin';
    const server = await renderDashboard('player');
    expect(server.requests('/api/me')).toBe(1);
    expect(screen.queryByRole('navigation', { name: 'Pages' })).toBeNull();
    expect(screen.queryByRole('link', { name: 'Admin' })).toBeNull();
    expect(screen.queryByRole('heading', { name: 'Create a board' })).toBeNull();
    expect(screen.getByRole('heading', { name: 'Submit a score' })).toBeTruthy();
  });

  it('is linked for an admin, and opens from the link', async () => {
    await renderDashboard('admin');
    const user = userEvent.setup();
    const nav = screen.getByRole('navigation', { name: 'Pages' });
    expect(within(nav).getByRole('link', { name: 'Dashboard' }).getAttribute('aria-current')).toBe(
      'page',
    );
    await user.click(within(nav).getByRole('link', { name: 'Admin' }));
    expect(await screen.findByRole('heading', { name: 'Create a board' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Edit a board' })).toBeTruthy();
    expect(within(nav).getByRole('link', { name: 'Admin' }).getAttribute('aria-current')).toBe(
      'page',
    );
  });

  it('is a console of sections, each at an address of its own', async () => {
    const server = await renderDashboard('admin');
    const user = userEvent.setup();
    await user.click(screen.getByRole('link', { name: 'Admin' }));
    const sections = await screen.findByRole('navigation', { name: 'Admin sections' });
    const current = () =>
      within(sections)
        .getAllByRole('link')
        .filter((link) => link.getAttribute('aria-current') === 'page')
        .map((link) => link.textContent);
    expect(current()).toEqual(['Boards']);

    await user.click(within(sections).getByRole('link', { name: 'Players' }));
    expect(window.location.hash).toBe('#/admin/players');
    expect(await screen.findByLabelText('Search players')).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Create a board' })).toBeNull();
    expect(current()).toEqual(['Players']);
    await waitFor(() => expect(server.requests('/api/admin/users?limit=20')).toBe(1));

    await user.click(within(sections).getByRole('link', { name: 'API keys' }));
    expect(await screen.findByRole('heading', { name: 'Create an API key' })).toBeTruthy();
    await user.click(within(sections).getByRole('link', { name: 'Audit log' }));
    expect(await screen.findByText('Nothing recorded yet.')).toBeTruthy();
    expect(current()).toEqual(['Audit log']);
    expect(
      within(screen.getByRole('navigation', { name: 'Pages' }))
        .getByRole('link', { name: 'Admin' })
        .getAttribute('aria-current'),
    ).toBe('page');
  });

  it('keeps its sections from a player too', async () => {
    window.location.hash = '#/admin/players';
    const server = await renderDashboard('player');
    expect(screen.queryByRole('navigation', { name: 'Admin sections' })).toBeNull();
    expect(screen.queryByLabelText('Search players')).toBeNull();
    expect(server.requests('/api/admin/users?limit=20')).toBe(0);
  });
});
