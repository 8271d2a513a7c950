import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MyResult } from '../../../api/types';
import { cellTexts } from '../../../test/cell-texts';
import { fakeServer } from '../../../test/fake-server';
import { makeBoard } from '../../../test/make-board';
import { formatPeriod } from '../../boards/format-period';
import { renderWithClient } from '../../../test/render-with-client';
import { MyResults } from './MyResults';

const period = {
  id: '7',
  starts_at: '2026-11-30T00:00:00.000Z',
  ends_at: '2026-12-07T00:00:00.000Z',
};
/** The period column, as format-period.ts (tested there) writes it in UTC. */
const WEEK = formatPeriod(period, 'UTC');

const result = (overrides: Partial<MyResult>): MyResult => ({
  id: '1',
  board: 'weekly',
  period,
  revision: 1,
  rank: 1,
  value: 100,
  achieved_at: '2026-12-01T10:00:00.000Z',
  claimed_at: null,
  ...overrides,
});

function renderMyResults(items: MyResult[]) {
  const server = fakeServer({
    'GET /api/me/results?limit=10': () => Response.json({ items, next_cursor: null }),
  });
  renderWithClient(
    <MyResults
      token="token"
      boards={[
        makeBoard({ id: 'weekly', name: 'Weekly', ranking: 'sum', reset: 'weekly', unit: 'pts' }),
        makeBoard({ id: 'race', name: 'Race', sort: 'asc', display_format: 'duration:ms' }),
      ]}
      poll={false}
    />,
  );
  return server;
}

const cells = (name: string) => cellTexts(screen.getByRole('rowheader', { name }).closest('tr')!);

describe('MyResults', () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('lists my final placements in each board’s terms, with the reward claimed or not', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-07T12:00:00.000Z') });
    renderMyResults([
      result({ id: '2', board: 'weekly', rank: 3, value: 12_500 }),
      result({
        id: '1',
        board: 'race',
        rank: 1,
        value: 93_125,
        claimed_at: '2026-12-07T09:00:00.000Z',
      }),
      result({ id: '0', board: 'old-season', rank: 7, value: 40 }),
    ]);
    await screen.findByRole('rowheader', { name: 'Weekly' });
    expect(cells('Weekly')).toEqual([WEEK, '#3', '12,500 pts (total)', 'Not claimed']);
    expect(cells('Race')).toEqual([WEEK, '#1', '1:33.125 (lowest)', 'Claimed 3 hours ago']);
    // A board no longer listed (archived) shows by its id, its value as a plain number.
    expect(cells('old-season')).toEqual([WEEK, '#7', '40', 'Not claimed']);
  });

  it('says what will show here before any period I played has ended', async () => {
    renderMyResults([]);
    await screen.findByText('None yet: a placement shows here once a period you played ends.');
    expect(screen.queryByRole('table')).toBeNull();
  });
});
