import { cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { queryKeys } from '../../../api/queries';
import type { Board, LeaderboardEntry } from '../../../api/types';
import { cellTexts } from '../../../test/cell-texts';
import { fakeServer } from '../../../test/fake-server';
import { makeBoard } from '../../../test/make-board';
import { renderWithClient } from '../../../test/render-with-client';
import { Leaderboard } from './Leaderboard';

const ME = '7';
const entry = (rank: number, userId: string, value: number): LeaderboardEntry => ({
  rank,
  user_id: userId,
  display_name: userId === ME ? 'Me' : `Player ${userId}`,
  high_score: value,
  achieved_at: '2026-11-25T10:00:00.000Z',
});
const current = {
  id: '9',
  starts_at: '2026-11-25T00:00:00.000Z',
  ends_at: '2026-11-26T00:00:00.000Z',
};
const previous = {
  id: '8',
  starts_at: '2026-11-24T00:00:00.000Z',
  ends_at: '2026-11-25T00:00:00.000Z',
  final: true,
};
const board = (sort: Board['sort']) =>
  makeBoard({
    id: 'race',
    name: 'Race',
    sort,
    score_min: 1,
    score_max: 100_000,
    reset: 'daily',
    current_period: current,
  });

const renderLeaderboard = (forBoard: Board, period = 'current') =>
  renderWithClient(
    <Leaderboard token="token" userId={ME} board={forBoard} period={period} poll={false} />,
  );

/** The server as an asc board's answers look: best first means lowest first. */
const raceTimes = {
  'GET /api/boards/race/leaderboard?period=current&limit=10': () =>
    Response.json({
      items: [entry(1, '100', 31_000), entry(2, ME, 32_500), entry(3, '101', 40_000)],
      total_players: 3,
      period: { ...current, final: false },
    }),
  'GET /api/boards/race/leaderboard/me?period=current&radius=3': () =>
    Response.json({ rank: 2, items: [], period: { ...current, final: false } }),
};

describe('Leaderboard', () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it('says lower is better on an asc board, and calls the best the lowest', async () => {
    fakeServer(raceTimes);
    renderLeaderboard(board('asc'));
    await screen.findByText(/You are #2\./);
    expect(screen.getByTestId('leaderboard-period').textContent).toMatch(/Lower is better$/);
    expect(screen.getByRole('columnheader', { name: 'Best (lowest)' })).toBeTruthy();
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map(cellTexts)).toEqual([
      ['1', 'Player 100', '31,000'],
      ['2', 'Me (you)', '32,500'],
      ['3', 'Player 101', '40,000'],
    ]);
  });

  it('shows values in the board’s own terms: times in milliseconds as m:ss.mmm', async () => {
    fakeServer(raceTimes);
    renderLeaderboard({ ...board('asc'), display_format: 'duration:ms' });
    await screen.findByText(/You are #2\./);
    expect(screen.getAllByRole('row').slice(1).map(cellTexts)).toEqual([
      ['1', 'Player 100', '0:31.000'],
      ['2', 'Me (you)', '0:32.500'],
      ['3', 'Player 101', '0:40.000'],
    ]);
  });

  it('says higher is better on a desc board, with a high score column', async () => {
    fakeServer(raceTimes);
    renderLeaderboard(board('desc'));
    await screen.findByText(/You are #2\./);
    expect(screen.getByTestId('leaderboard-period').textContent).toMatch(/Higher is better$/);
    expect(screen.getByRole('columnheader', { name: 'High score' })).toBeTruthy();
    expect(screen.queryByText(/lowest/i)).toBeNull();
  });

  it('ranks a sum board by its total: says so, titles the column Total and shows the value', async () => {
    const total = (rank: number, userId: string, value: number): LeaderboardEntry => ({
      ...entry(rank, userId, 90),
      value,
    });
    fakeServer({
      'GET /api/boards/race/leaderboard?period=current&limit=10': () =>
        Response.json({
          items: [total(1, '100', 1_250), total(2, ME, 940)],
          total_players: 400,
          period: { ...current, final: false },
        }),
      'GET /api/boards/race/leaderboard/me?period=current&radius=3': () =>
        Response.json({
          rank: 2,
          items: [],
          players: 400,
          percentile: 0.5,
          period: { ...current, final: false },
        }),
    });
    renderLeaderboard(makeBoard({ ...board('desc'), ranking: 'sum', reset: 'weekly' }));
    expect((await screen.findByTestId('percentile')).textContent).toBe('Top 0.5 %.');
    expect(screen.getByText(/You are #2\./).textContent).toBe(
      '400 players. You are #2. Top 0.5 %.',
    );
    expect(screen.getByTestId('leaderboard-ranking').textContent).toBe('Total this week');
    expect(screen.getByRole('columnheader', { name: 'Total' })).toBeTruthy();
    expect(screen.getAllByRole('row').slice(1).map(cellTexts)).toEqual([
      ['1', 'Player 100', '1,250'],
      ['2', 'Me (you)', '940'],
    ]);
  });

  it('titles a count board’s column Games, and a past period’s total plainly', async () => {
    fakeServer({
      'GET /api/boards/race/leaderboard?period=8&limit=10': () =>
        Response.json({
          items: [{ ...entry(1, '100', 70), value: 12 }],
          total_players: 1,
          period: previous,
        }),
      'GET /api/boards/race/leaderboard/me?period=8&radius=3': () =>
        Response.json({ rank: null, items: [], players: 1, percentile: null, period: previous }),
    });
    renderLeaderboard(makeBoard({ ...board('desc'), ranking: 'count' }), '8');
    await screen.findByText('1 player. You have no score in this period.');
    expect(screen.getByTestId('leaderboard-ranking').textContent).toBe('Most games');
    expect(screen.getByRole('columnheader', { name: 'Games' })).toBeTruthy();
    expect(screen.getAllByRole('row').slice(1).map(cellTexts)).toEqual([['1', 'Player 100', '12']]);
    expect(screen.queryByTestId('percentile')).toBeNull();
  });

  it('shows a past period as final, and that I had no score in it', async () => {
    fakeServer({
      'GET /api/boards/race/leaderboard?period=8&limit=10': () =>
        Response.json({ items: [entry(1, '100', 29_000)], total_players: 1, period: previous }),
      'GET /api/boards/race/leaderboard/me?period=8&radius=3': () =>
        Response.json({ rank: null, items: [], period: previous }),
    });
    renderLeaderboard(board('asc'), '8');
    await screen.findByText('1 player. You have no score in this period.');
    expect(screen.getByTestId('leaderboard-period').textContent).toMatch(/\(final\)/);
  });

  it('says there is no previous period yet when the server has none', async () => {
    const notFound = () =>
      Response.json(
        { statusCode: 404, error: 'Not Found', message: 'Period not found' },
        { status: 404 },
      );
    fakeServer({
      'GET /api/boards/race/leaderboard?period=previous&limit=10': notFound,
      'GET /api/boards/race/leaderboard/me?period=previous&radius=3': notFound,
    });
    const client = renderLeaderboard(board('asc'), 'previous');
    expect(await screen.findByText('There is no previous period yet.')).toBeTruthy();
    // Not a failure to retry: the period does not exist.
    await waitFor(() =>
      expect(client.getQueryState(queryKeys.myStanding('race', 'previous'))?.status).toBe('error'),
    );
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says so when the period has no scores yet', async () => {
    fakeServer({
      'GET /api/boards/race/leaderboard?period=current&limit=10': () =>
        Response.json({ items: [], total_players: 0, period: { ...current, final: false } }),
      'GET /api/boards/race/leaderboard/me?period=current&radius=3': () =>
        Response.json({ rank: null, items: [], period: { ...current, final: false } }),
    });
    renderLeaderboard(board('desc'));
    expect(await screen.findByText('No scores in this period yet.')).toBeTruthy();
    expect(screen.getByText('0 players. Submit a score to get ranked.')).toBeTruthy();
  });

  it('tells apart players of the same name, in the top and in my neighbourhood, by their id', async () => {
    const named = (rank: number, userId: string, value: number, name: string) => ({
      ...entry(rank, userId, value),
      display_name: name,
    });
    fakeServer({
      'GET /api/boards/race/leaderboard?period=current&limit=10': () =>
        Response.json({
          items: [named(1, '100', 90, 'ada'), named(2, '101', 80, 'grace')],
          total_players: 12,
          period: { ...current, final: false },
        }),
      'GET /api/boards/race/leaderboard/me?period=current&radius=3': () =>
        Response.json({
          rank: 12,
          items: [named(11, '102', 12, 'Ada'), named(12, ME, 10, 'grace')],
          period: { ...current, final: false },
        }),
    });
    renderLeaderboard(board('desc'));
    await screen.findByText(/You are #12\./);
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map(cellTexts)).toEqual([
      ['1', 'ada · #100', '90'],
      ['2', 'grace · #101', '80'],
      ['11', 'Ada · #102', '12'],
      ['12', `grace · #${ME} (you)`, '10'],
    ]);
  });
});
