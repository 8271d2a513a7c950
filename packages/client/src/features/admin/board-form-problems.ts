import { ApiError } from '../../api/http';
import type { BoardField } from './board-form';

export type BoardFormProblems = {
  fields: Partial<Record<BoardField, string>>;
  general: string | null;
};

/**
 * The server's refusal, placed: each field error next to its field (a taken id next to the id;
 * a board that already has scores, the only conflict of an edit, next to the ranking), and what
 * names no field of this form in the general message.
 */
export function problemsOf(error: unknown, shown: BoardField[]): BoardFormProblems {
  if (!error) return { fields: {}, general: null };
  if (!(error instanceof ApiError)) {
    return { fields: {}, general: 'No answer from the server. Try again.' };
  }
  const fields: Partial<Record<BoardField, string>> = {};
  const unplaced: string[] = [];
  const errors =
    error.status === 409 && error.fieldErrors.length === 0
      ? [{ field: shown.includes('id') ? 'id' : 'ranking', message: error.message }]
      : error.fieldErrors;
  for (const { field, message } of errors) {
    if (shown.includes(field as BoardField)) {
      const known = fields[field as BoardField];
      fields[field as BoardField] = known ? `${known}; ${message}` : message;
    } else unplaced.push(message);
  }
  if (errors.length === 0) return { fields, general: error.message };
  return {
    fields,
    general:
      unplaced.length > 0
        ? unplaced.join('; ')
        : 'The board was not saved: check the fields marked below.',
  };
}
