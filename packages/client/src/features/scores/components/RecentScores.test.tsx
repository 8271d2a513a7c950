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
});
