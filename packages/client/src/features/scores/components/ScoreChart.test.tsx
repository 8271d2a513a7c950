import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ScoreItem } from '../../../api/types';
import { fakeServer } from '../../../test/fake-server';
import { makeBoard } from '../../../test/make-board';
import { renderWithClient } from '../../../test/render-with-client';
import { ScoreChart } from './ScoreChart';

/** Newest first, as the server lists them. */
const newestFirst = (...values: number[]): ScoreItem[] =>
  values.map((value, i) => ({
    id: String(values.length - i),
    value,
    board: 'global',
    created_at: new Date(Date.UTC(2026, 10, 25, 10, values.length - i)).toISOString(),
    status: 'processed',
  }));

function renderChart(items: ScoreItem[]) {
  fakeServer({
    'GET /api/me/scores?limit=50&board=global': () => Response.json({ items, next_cursor: null }),
  });
  renderWithClient(<ScoreChart token="token" board={makeBoard()} poll={false} />);
}

describe('the score chart', () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it('says which score came first and which last, apart from the lowest and highest', async () => {
    renderChart(newestFirst(64, 99, 13, 50, 70, 42));
    const chart = await screen.findByRole('img', {
      name: '6 scores: first 42, latest 64, lowest 13, highest 99.',
    });
    expect(chart.closest('figure')!.querySelector('figcaption')!.textContent).toBe(
      '6 scores: first 42, latest 64, lowest 13, highest 99.',
    );
    expect(chart.querySelectorAll('circle')).toHaveLength(6);
  });

  it('titles both axes and labels the score axis with round values fitted to the scores', async () => {
    const [latest, first] = newestFirst(64, 42);
    renderChart([latest!, first!]);
    const chart = await screen.findByRole('img', { name: /^2 scores/ });
    const texts = [...chart.querySelectorAll('text')].map((t) => t.textContent);
    expect(texts).toEqual(expect.arrayContaining(['Score', 'Submissions, oldest to latest']));
    // The first and latest submission's times below, the day said once.
    const timeOf = (score: ScoreItem) =>
      new Date(score.created_at).toLocaleTimeString(undefined, {
        hour: 'numeric',
        minute: '2-digit',
      });
    expect(texts).toContain(timeOf(latest!));
    expect(texts.filter((t) => t !== timeOf(first!) && t!.endsWith(timeOf(first!)))).toHaveLength(
      1,
    );
    // 42 and 64 on a 0 to 100 board: the axis spans the scores, not the board.
    expect([...chart.querySelectorAll('text.tick')].slice(0, 5).map((t) => t.textContent)).toEqual([
      '30',
      '40',
      '50',
      '60',
      '70',
    ]);
  });

  it('says so when there is no score yet, and a single score as such', async () => {
    renderChart([]);
    expect(await screen.findByRole('img', { name: 'No scores yet.' })).toBeTruthy();
    cleanup();
    renderChart(newestFirst(7));
    expect(await screen.findByRole('img', { name: '1 score: 7.' })).toBeTruthy();
  });
});
