import { cleanup, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MyBoardStanding } from '../../../api/types';
import { cellTexts } from '../../../test/cell-texts';
import { fakeServer } from '../../../test/fake-server';
import { makeBoard } from '../../../test/make-board';
import { renderWithClient } from '../../../test/render-with-client';
import { MyBoards } from './MyBoards';

const period = { id: '1', starts_at: '2026-11-25T00:00:00.000Z', ends_at: null };
const standing = (boardId: string, overrides: Partial<MyBoardStanding> = {}): MyBoardStanding => ({
  board: boardId,
  period,
  rank: 1,
  best: 50,
  total_scores: 2,
  average: 60,
  ...overrides,
});

function renderMyBoards(
  items: MyBoardStanding[],
  boards = [makeBoard(), makeBoard({ id: 'race', name: 'Race', sort: 'asc' })],
) {
  fakeServer({ 'GET /api/me/boards': () => Response.json({ items }) });
  const onSelect = vi.fn();
  renderWithClient(
    <MyBoards token="token" boards={boards} selected="global" onSelect={onSelect} poll={false} />,
  );
  return onSelect;
}

const cells = (name: string) => cellTexts(screen.getByRole('button', { name }).closest('tr')!);

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
    expect(cells('Global')).toEqual(['#3', '90', '4', '73']);
    expect(cells('Race')).toEqual(['#1', '31,000 (lowest)', '2', '35,250']);
  });

  it('shows the value each board ranks by: a total, a number of games, a latest score', async () => {
    renderMyBoards(
      [
        standing('weekly', { ranking: 'sum', value: 12_500, best: 4_000, total_scores: 5 }),
        standing('wins', { ranking: 'count', value: 12, best: 1, total_scores: 12, average: 1 }),
        standing('rating', { ranking: 'latest', value: 1_480, best: 1_530, total_scores: 3 }),
        standing('global', { ranking: 'best', value: 90, best: 90, total_scores: 4 }),
      ],
      [
        makeBoard({ id: 'weekly', name: 'Weekly', ranking: 'sum', score_max: 10_000 }),
        makeBoard({ id: 'wins', name: 'Wins', ranking: 'count', unit: 'wins' }),
        makeBoard({ id: 'rating', name: 'Rating', ranking: 'latest' }),
        makeBoard(),
      ],
    );
    await screen.findByRole('button', { name: 'Weekly' });
    expect(screen.getByRole('columnheader', { name: 'Standing' })).toBeTruthy();
    expect(cells('Weekly')).toEqual(['#1', '12,500 (total)', '5', '60']);
    // A number of games is a plain number, not a value in the board's unit.
    expect(cells('Wins')).toEqual(['#1', '12 (games)', '12', '1 wins']);
    expect(cells('Rating')).toEqual(['#1', '1,480 (latest)', '3', '60']);
    expect(cells('Global')).toEqual(['#1', '90', '4', '60']);
  });

  it('shows the best of a server that predates rankings (no value in its answer)', async () => {
    renderMyBoards([standing('global', { best: 77 })]);
    await screen.findByRole('button', { name: 'Global' });
    expect(cells('Global')).toEqual(['#1', '77', '2', '60']);
  });

  it('shows a board without a score this period as unranked, and picks a board by its name', async () => {
    const onSelect = renderMyBoards([
      standing('race', { rank: null, best: null, total_scores: 0, average: 0 }),
      standing('archived-one'),
    ]);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Race' }));
    expect(cells('Race')).toEqual(['—', '—', '0', '—']);
    expect(onSelect).toHaveBeenCalledWith('race');
    // A board no longer listed (archived) is left out.
    expect(screen.getAllByRole('row')).toHaveLength(2);
  });
});
