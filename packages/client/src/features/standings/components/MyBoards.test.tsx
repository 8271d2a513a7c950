import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Board, MyBoardStanding } from '../../../api/types';
import { MyBoards } from './MyBoards';

const period = { id: '1', starts_at: '2026-11-25T00:00:00.000Z', ends_at: null };
const board = (id: string, name: string, sort: Board['sort']): Board => ({
  id,
  name,
  sort,
  score_min: 0,
  score_max: 100_000,
  reset: 'never',
  timezone: 'UTC',
  authoritative: false,
  max_submissions_per_minute: 0,
  archived: false,
  created_at: '2026-11-01T00:00:00.000Z',
  current_period: period,
});
const standing = (boardId: string, overrides: Partial<MyBoardStanding> = {}): MyBoardStanding => ({
  board: boardId,
  period,
  rank: 1,
  best: 50,
  total_scores: 2,
  average: 60,
  ...overrides,
});

function renderMyBoards(items: MyBoardStanding[]) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      if (url !== '/api/me/boards') throw new Error(`unexpected request ${url}`);
      return Response.json({ items });
    }),
  );
  const onSelect = vi.fn();
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MyBoards
        token="token"
        boards={[board('global', 'Global', 'desc'), board('race', 'Race', 'asc')]}
        selected="global"
        onSelect={onSelect}
        poll={false}
      />
    </QueryClientProvider>,
  );
  return onSelect;
}

const cells = (name: string) =>
  within(screen.getByRole('button', { name }).closest('tr')!)
    .getAllByRole('cell')
    .map((cell) => cell.textContent);

describe('MyBoards', () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it('shows my rank, best, count and average per board, the best of an asc board as the lowest', async () => {
    renderMyBoards([
      standing('global', { rank: 3, best: 90, total_scores: 4, average: 72.5 }),
      standing('race', { rank: 1, best: 31_000, total_scores: 2, average: 35_250 }),
    ]);
    await screen.findByRole('button', { name: 'Race' });
    expect(cells('Global')).toEqual(['#3', '90', '4', '72.50']);
    expect(cells('Race')).toEqual(['#1', '31000 (lowest)', '2', '35250.00']);
  });

  it('shows a board without a score this period as unranked, and picks a board by its name', async () => {
    const onSelect = renderMyBoards([
      standing('race', { rank: null, best: null, total_scores: 0, average: 0 }),
      standing('archived-one'),
    ]);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Race' }));
    expect(cells('Race')).toEqual(['–', '–', '0', '–']);
    expect(onSelect).toHaveBeenCalledWith('race');
    // A board no longer listed (archived) is left out.
    expect(screen.getAllByRole('row')).toHaveLength(2);
  });
});
