import type { Board } from '../api/types';

/** A board as GET /api/boards lists it: global, 0 to 100, never resetting, unless overridden. */
export function makeBoard(overrides: Partial<Board> = {}): Board {
  return {
    id: 'global',
    name: 'Global',
    sort: 'desc',
    ranking: 'best',
    score_min: 0,
    score_max: 100,
    reset: 'never',
    timezone: 'UTC',
    authoritative: false,
    max_submissions_per_minute: 0,
    archived: false,
    created_at: '2026-11-01T00:00:00.000Z',
    current_period: { id: '1', starts_at: '2026-11-01T00:00:00.000Z', ends_at: null },
    ...overrides,
  };
}
