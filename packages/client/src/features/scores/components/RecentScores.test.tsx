import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ScoreItem } from '../../../api/types';
import { fakeServer } from '../../../test/fake-server';
import { makeBoard } from '../../../test/make-board';
import { renderWithClient } from '../../../test/render-with-client';
import { RecentScores } from './RecentScores';

const score = (id: string, value: number, status: ScoreItem['status']): ScoreItem => ({
  id,
  value,
  board: 'global',
  created_at: `2026-11-2${id}T10:00:00.000Z`,
  status,
});

describe('my recent scores', () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it('shows a score an admin removed as removed, struck through, not as counted', async () => {
    fakeServer({
      'GET /api/me/scores?limit=50&board=global': () =>
        Response.json({
          items: [
            score('3', 12, 'pending'),
            score('2', 99, 'removed'),
            score('1', 40, 'processed'),
          ],
          next_cursor: null,
        }),
    });
    renderWithClient(<RecentScores token="token" board={makeBoard()} poll={false} />);
    const removed = (await screen.findByRole('cell', { name: '99' })).closest('tr')!;
    expect(within(removed).getAllByRole('cell')[2]!.textContent).toBe('Removed');
    expect(removed.className).toBe('removed');
    const counted = screen.getByRole('cell', { name: '40' }).closest('tr')!;
    expect(within(counted).getAllByRole('cell')[2]!.textContent).toBe('Counted');
    expect(screen.getByRole('cell', { name: '12' }).closest('tr')!.textContent).toContain(
      'Pending',
    );
  });

  it('shows the context a game sent in short, with the whole of it on hover', async () => {
    const metadata = { level: 3, character: 'Ada', replay: 'replay-0123456789abcdef', seed: 7 };
    fakeServer({
      'GET /api/me/scores?limit=50&board=global': () =>
        Response.json({
          items: [{ ...score('2', 55, 'processed'), metadata }, score('1', 40, 'processed')],
          next_cursor: null,
        }),
    });
    renderWithClient(<RecentScores token="token" board={makeBoard()} poll={false} />);
    await screen.findByRole('cell', { name: '55' });
    expect(screen.getAllByRole('columnheader').map((th) => th.textContent)).toEqual([
      'When',
      'Score',
      'Status',
      'Context',
    ]);
    const context = screen.getByRole('cell', {
      name: 'level: 3, character: Ada, replay: replay-01234567…, +1 more',
    });
    expect(JSON.parse(context.getAttribute('title')!)).toEqual(metadata);
    // A score sent without any has an empty cell.
    const plain = screen.getByRole('cell', { name: '40' }).closest('tr')!;
    expect(within(plain).getAllByRole('cell')[3]!.textContent).toBe('');
  });

  it('has no context column when no score carries any', async () => {
    fakeServer({
      'GET /api/me/scores?limit=50&board=global': () =>
        Response.json({ items: [score('1', 40, 'processed')], next_cursor: null }),
    });
    renderWithClient(<RecentScores token="token" board={makeBoard()} poll={false} />);
    await screen.findByRole('cell', { name: '40' });
    expect(screen.queryByRole('columnheader', { name: 'Context' })).toBeNull();
  });
});
