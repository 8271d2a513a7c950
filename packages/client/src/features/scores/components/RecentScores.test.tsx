import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Board, ScoreItem } from '../../../api/types';
import { RecentScores } from './RecentScores';

const board: Board = {
  id: 'global',
  name: 'Global',
  sort: 'desc',
  score_min: 0,
  score_max: 100,
  reset: 'never',
  timezone: 'UTC',
  authoritative: false,
  max_submissions_per_minute: 0,
  archived: false,
  created_at: '2026-11-01T00:00:00.000Z',
  current_period: { id: '1', starts_at: '2026-11-01T00:00:00.000Z', ends_at: null },
};
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
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        if (url !== '/api/me/scores?limit=50&board=global') throw new Error(`unexpected ${url}`);
        return Response.json({
          items: [
            score('3', 12, 'pending'),
            score('2', 99, 'removed'),
            score('1', 40, 'processed'),
          ],
          next_cursor: null,
        });
      }),
    );
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <RecentScores token="token" board={board} poll={false} />
      </QueryClientProvider>,
    );
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
