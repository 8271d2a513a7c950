import { cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Stats } from '../../../api/types';
import { fakeServer } from '../../../test/fake-server';
import { makeBoard } from '../../../test/make-board';
import { renderWithClient } from '../../../test/render-with-client';
import { StatsPanel } from './StatsPanel';

const stats = (overrides: Partial<Stats> = {}): Stats => ({
  user_id: '7',
  total_scores: 0,
  average: 0,
  high_score: 0,
  pending_scores: 0,
  updated_at: null,
  ...overrides,
});

function renderStats(answer: Stats) {
  fakeServer({ 'GET /api/me/stats?board=global&period=current': () => Response.json(answer) });
  renderWithClient(<StatsPanel token="token" board={makeBoard()} period="current" poll={false} />);
}

describe('my stats', () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it('shows a dash, not 0, for the best and the average before the first score', async () => {
    renderStats(stats({ pending_scores: 1 }));
    await waitFor(() => expect(screen.getByTestId('total-scores').textContent).toBe('0'));
    expect(screen.getByTestId('high-score').textContent).toBe('—');
    expect(screen.getByTestId('average').textContent).toBe('—');
    expect(screen.getByTestId('pending').textContent).toBe('1 pending');
  });

  it('shows a real best of 0 as 0 once there is a score', async () => {
    renderStats(stats({ total_scores: 1, high_score: 0, average: 0 }));
    await waitFor(() => expect(screen.getByTestId('total-scores').textContent).toBe('1'));
    expect(screen.getByTestId('high-score').textContent).toBe('0');
    expect(screen.getByTestId('average').textContent).toBe('0');
  });
});
