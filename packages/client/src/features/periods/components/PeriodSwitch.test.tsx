import { cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Board, LeaderboardEntry, PeriodSummary } from '../../../api/types';
import { fakeServer } from '../../../test/fake-server';
import { makeBoard } from '../../../test/make-board';
import { renderWithClient } from '../../../test/render-with-client';
import { PeriodSwitch } from './PeriodSwitch';

const minute = (m: number) => `2026-11-25T14:${String(m).padStart(2, '0')}:00.000Z`;
const entry = (rank: number, name: string, value: number): LeaderboardEntry => ({
  rank,
  user_id: name,
  display_name: name,
  high_score: value,
  achieved_at: minute(0),
});
const period = (id: number, overrides: Partial<PeriodSummary> = {}): PeriodSummary => ({
  id: String(id),
  starts_at: minute(id),
  ends_at: minute(id + 1),
  players: 0,
  final: true,
  top: [],
  ...overrides,
});
const board = (overrides: Partial<Board> = {}) =>
  makeBoard({
    id: 'minute',
    name: 'Minute',
    reset: '* * * * *',
    created_at: minute(0),
    current_period: { id: '40', starts_at: minute(40), ends_at: minute(41) },
    ...overrides,
  });

/** GET /api/boards/minute/periods, two pages: the current period and one past, then one more. */
function archiveServer() {
  return fakeServer({
    'GET /api/boards/minute/periods?limit=5': () =>
      Response.json({
        items: [
          period(40, { final: false, players: 1, top: [entry(1, 'Ada', 12)] }),
          period(38, {
            players: 4,
            top: [entry(1, 'Ada', 90), entry(2, 'Bob', 80), entry(3, 'Cy', 70)],
          }),
          period(37, { players: 1, final: false, top: [entry(1, 'Bob', 5)] }),
        ],
        next_cursor: '37',
      }),
    'GET /api/boards/minute/periods?limit=5&cursor=37': () =>
      Response.json({
        items: [period(12, { players: 2, top: [entry(1, 'Cy', 3), entry(2, 'Ada', 2)] })],
        next_cursor: null,
      }),
  });
}

function renderSwitch(forBoard: Board, selected = 'current') {
  const onSelect = vi.fn();
  renderWithClient(<PeriodSwitch board={forBoard} selected={selected} onSelect={onSelect} />);
  return onSelect;
}

const periodButton = (startMinute: number) =>
  screen.getByRole('button', { name: new RegExp(`14:${startMinute}\\s–\\s14:${startMinute + 1}`) });

describe('PeriodSwitch', () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it('lists the archive with each period’s dates, players, state and top 3', async () => {
    archiveServer();
    renderSwitch(board());
    const past = (await screen.findByRole('button', { name: /14:38\s–\s14:39/ })).closest('li')!;
    expect(within(past).getByText(/4 players · Final/)).toBeTruthy();
    const podium = within(past).getByRole('list', { name: 'Top 3' });
    expect(
      within(podium)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['Ada 90', 'Bob 80', 'Cy 70']);
    const current = periodButton(40).closest('li')!;
    expect(within(current).getByText(/1 player · In progress/)).toBeTruthy();
    const counting = periodButton(37).closest('li')!;
    expect(within(counting).getByText(/Counting the last scores/)).toBeTruthy();
  });

  it('shows each podium’s ranked value: totals on a sum board', async () => {
    fakeServer({
      'GET /api/boards/minute/periods?limit=5': () =>
        Response.json({
          items: [
            period(40, {
              final: false,
              players: 2,
              top: [
                { ...entry(1, 'Ada', 90), value: 1_400 },
                { ...entry(2, 'Bob', 99), value: 980 },
              ],
            }),
          ],
          next_cursor: null,
        }),
    });
    renderSwitch(board({ ranking: 'sum' }));
    const podium = await screen.findByRole('list', { name: 'Top 3' });
    expect(
      within(podium)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['Ada 1,400', 'Bob 980']);
  });

  it('selects current, previous, or a period of the archive; the current one as current', async () => {
    archiveServer();
    const onSelect = renderSwitch(board(), '38');
    const user = userEvent.setup();
    await screen.findByRole('button', { name: /14:38\s–\s14:39/ });
    expect(periodButton(38).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByRole('button', { name: 'Current' }).getAttribute('aria-pressed')).toBe(
      'false',
    );

    await user.click(screen.getByRole('button', { name: 'Previous' }));
    await user.click(periodButton(37));
    await user.click(periodButton(40));
    await user.click(screen.getByRole('button', { name: 'Current' }));
    expect(onSelect.mock.calls).toEqual([['previous'], ['37'], ['current'], ['current']]);
  });

  it('disables Previous on a board with no past period yet, and says so', async () => {
    fakeServer({
      'GET /api/boards/minute/periods?limit=5': () =>
        Response.json({ items: [period(40, { final: false })], next_cursor: null }),
    });
    renderSwitch(board());
    await screen.findByText('No past period yet: this is the first.');
    expect(screen.getByRole('button', { name: 'Previous' })).toHaveProperty('disabled', true);
  });

  it('pages back through older periods', async () => {
    const server = archiveServer();
    renderSwitch(board());
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Show older periods' }));
    const oldest = (await screen.findByRole('button', { name: /14:12\s–\s14:13/ })).closest('li')!;
    expect(within(oldest).getByText(/2 players · Final/)).toBeTruthy();
    expect(server.calls.map((c) => c.url)).toEqual([
      '/api/boards/minute/periods?limit=5',
      '/api/boards/minute/periods?limit=5&cursor=37',
    ]);
    expect(screen.queryByRole('button', { name: 'Show older periods' })).toBeNull();
  });

  it('offers neither previous nor an archive on a board that never resets', () => {
    const server = archiveServer();
    renderSwitch(
      board({ reset: 'never', current_period: { id: '1', starts_at: minute(0), ends_at: null } }),
    );
    expect(screen.getByRole('button', { name: 'Current' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    expect(screen.queryByRole('button', { name: 'Previous' })).toBeNull();
    expect(screen.getByText('This board never resets: it has one period.')).toBeTruthy();
    expect(server.calls.map((c) => c.url)).toEqual([]);
  });
});
