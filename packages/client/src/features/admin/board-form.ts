import type { Board, BoardRanking, BoardSettings, BoardSort, DisplayFormat } from '../../api/types';

export type ResetKind = 'never' | 'daily' | 'weekly' | 'monthly' | 'cron';

/** The board form as typed: numbers stay text until sent, so the server judges what is typed. */
export type BoardFormValues = {
  id: string;
  name: string;
  sort: BoardSort;
  ranking: BoardRanking;
  score_min: string;
  score_max: string;
  display_format: DisplayFormat;
  /** Empty: none. */
  unit: string;
  resetKind: ResetKind;
  cron: string;
  timezone: string;
  authoritative: boolean;
  max_submissions_per_minute: string;
  archived: boolean;
};

/** The fields a server's field error can name, in the order the form shows them. */
export type BoardField = keyof BoardSettings;

const NAMED_RESETS: ResetKind[] = ['never', 'daily', 'weekly', 'monthly'];

/** A whole number as a number; anything else as typed, for the server to refuse in its words. */
function numberOrText(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

function resetOf(values: BoardFormValues): string {
  return values.resetKind === 'cron' ? values.cron.trim() : values.resetKind;
}

/** A board's ranking; a server that predates rankings names none, and ranks by the best. */
const rankingOf = (board: Board): BoardRanking => board.ranking ?? 'best';

/** Conversions between a board, the form's values and the admin routes' bodies. */
export const boardForm = {
  /** A new board: the server's defaults, shown (an empty range means the configured one). */
  blank(): BoardFormValues {
    return {
      id: '',
      name: '',
      sort: 'desc',
      ranking: 'best',
      score_min: '',
      score_max: '',
      display_format: 'integer',
      unit: '',
      resetKind: 'never',
      cron: '',
      timezone: 'UTC',
      authoritative: false,
      max_submissions_per_minute: '0',
      archived: false,
    };
  },

  of(board: Board): BoardFormValues {
    const named = NAMED_RESETS.includes(board.reset as ResetKind);
    return {
      id: board.id,
      name: board.name,
      sort: board.sort,
      ranking: rankingOf(board),
      score_min: String(board.score_min),
      score_max: String(board.score_max),
      display_format: board.display_format ?? 'integer',
      unit: board.unit ?? '',
      resetKind: named ? (board.reset as ResetKind) : 'cron',
      cron: named ? '' : board.reset,
      timezone: board.timezone,
      authoritative: board.authoritative,
      max_submissions_per_minute: String(board.max_submissions_per_minute),
      archived: board.archived,
    };
  },

  /**
   * POST /api/admin/boards: what was filled in; what was left empty takes the server's default,
   * and so does the default ranking (best), which is then not sent.
   */
  createBody(values: BoardFormValues): Record<string, unknown> {
    const optional = {
      ranking: values.ranking === 'best' ? undefined : values.ranking,
      display_format: values.display_format === 'integer' ? undefined : values.display_format,
      unit: values.unit.trim() || undefined,
      score_min: numberOrText(values.score_min),
      score_max: numberOrText(values.score_max),
      max_submissions_per_minute: numberOrText(values.max_submissions_per_minute),
      timezone: values.timezone.trim() || undefined,
    };
    return {
      id: values.id.trim(),
      name: values.name,
      sort: values.sort,
      reset: resetOf(values),
      authoritative: values.authoritative,
      ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
    };
  },

  /**
   * PATCH /api/admin/boards/:board: only the fields that differ from the board (the global
   * board's range, say, stays the configured one unless it is changed). Empty means unchanged.
   */
  changes(board: Board, values: BoardFormValues): Record<string, unknown> {
    const next: Record<string, unknown> = {
      name: values.name,
      ranking: values.ranking,
      score_min: numberOrText(values.score_min),
      score_max: numberOrText(values.score_max),
      display_format: values.display_format,
      unit: values.unit.trim() || null,
      reset: resetOf(values),
      timezone: values.timezone.trim() || undefined,
      authoritative: values.authoritative,
      max_submissions_per_minute: numberOrText(values.max_submissions_per_minute),
      archived: values.archived,
    };
    const saved: Board = {
      ...board,
      ranking: rankingOf(board),
      display_format: board.display_format ?? 'integer',
      unit: board.unit ?? null,
    };
    return Object.fromEntries(
      Object.entries(next).filter(
        ([field, value]) => value !== undefined && value !== saved[field as keyof Board],
      ),
    );
  },
};
