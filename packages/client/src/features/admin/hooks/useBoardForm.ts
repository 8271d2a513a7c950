import { useEffect, useId, useMemo, useState } from 'react';
import type { BoardField, BoardFormValues } from '../board-form';
import { problemsOf } from '../board-form-problems';

export type BoardFormMode = 'create' | 'edit';

/**
 * The fields each form shows; `id` and `sort` are fixed once a board exists, `ranking` until
 * the board has a score.
 */
const FIELDS: Record<BoardFormMode, BoardField[]> = {
  create: [
    'id',
    'name',
    'sort',
    'ranking',
    'score_min',
    'score_max',
    'display_format',
    'unit',
    'reset',
    'timezone',
    'authoritative',
    'max_submissions_per_minute',
  ],
  edit: [
    'name',
    'ranking',
    'score_min',
    'score_max',
    'display_format',
    'unit',
    'reset',
    'timezone',
    'authoritative',
    'max_submissions_per_minute',
    'archived',
  ],
};

/**
 * The board form's state: the values as typed, the server's refusal placed on the fields shown,
 * and each field's ids and accessibility attributes. After a refusal the first field in error
 * takes the focus.
 */
export function useBoardForm(mode: BoardFormMode, initial: BoardFormValues, error: unknown) {
  const [values, setValues] = useState(initial);
  const base = useId();
  const shown = FIELDS[mode];
  const problems = useMemo(() => problemsOf(error, shown), [error, shown]);

  const inputId = (field: BoardField) =>
    field === 'reset' && values.resetKind === 'cron' ? `${base}-cron` : `${base}-${field}`;
  const hintId = (field: BoardField) => `${base}-${field}-hint`;
  const errorId = (field: BoardField) => `${base}-${field}-error`;
  /** The accessibility attributes of a field's control: its hint, its error, whether invalid. */
  const described = (field: BoardField, hint: boolean) => ({
    'aria-invalid': problems.fields[field] ? true : undefined,
    'aria-describedby':
      [hint ? hintId(field) : null, problems.fields[field] ? errorId(field) : null]
        .filter(Boolean)
        .join(' ') || undefined,
  });
  const fieldParts = (field: BoardField) => ({
    inputId: inputId(field),
    hintId: hintId(field),
    errorId: errorId(field),
    error: problems.fields[field],
  });
  const set = <K extends keyof BoardFormValues>(key: K, value: BoardFormValues[K]) =>
    setValues((current) => ({ ...current, [key]: value }));

  useEffect(() => {
    const first = shown.find((field) => problems.fields[field]);
    if (first) document.getElementById(inputId(first))?.focus();
  }, [problems]); // only a new refusal moves the focus, not typing afterwards

  return { base, values, set, problems, inputId, hintId, errorId, described, fieldParts };
}
