import { useId, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../../api/http';
import type { Board } from '../../../api/types';
import { describeSort } from '../../boards/describe-sort';
import { useSubmitScore } from '../hooks/useSubmitScore';
import { parseScore } from '../parse-score';

/**
 * The score form for a board's current period; its range is the board's. Render one per board
 * (keyed by the board's id), so that an unconfirmed submission's key never goes to another board.
 * It checks the value itself, with its own message (not the browser's bubble), and sends nothing
 * while it is invalid; after a refused attempt the message follows the typing.
 */
export function SubmitScoreForm({
  token,
  userId,
  board,
}: {
  token: string;
  userId: string;
  board: Board;
}) {
  const { submit, mutation, resumed } = useSubmitScore(token, userId, board.id);
  // A submission sent again after a reload shows its value: "Submit" again sends the same one.
  const [value, setValue] = useState(resumed ? String(resumed.value) : '');
  const [checked, setChecked] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const hintId = useId();
  const boardHintId = useId();
  const errorId = useId();
  const parsed = parseScore(value, board.score_min, board.score_max);
  const invalid = checked && parsed === null;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (parsed === null) {
      setChecked(true);
      input.current?.focus();
      return;
    }
    setChecked(false);
    // Stored: the field clears for the next score, unless a new one was typed meanwhile.
    const sent = value;
    submit(parsed, () => setValue((current) => (current === sent ? '' : current)));
  };

  return (
    <section className="card" aria-labelledby={`${inputId}-title`}>
      <h2 id={`${inputId}-title`}>Submit a score</h2>
      <form onSubmit={onSubmit} className="submit-form" noValidate>
        <label htmlFor={inputId}>Score</label>
        <input
          ref={input}
          id={inputId}
          type="number"
          inputMode="numeric"
          step={1}
          min={board.score_min}
          max={board.score_max}
          required
          aria-invalid={invalid || undefined}
          aria-describedby={`${boardHintId} ${hintId}${invalid ? ` ${errorId}` : ''}`}
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
        <button type="submit" className="primary" disabled={mutation.isPending}>
          {mutation.isPending ? 'Submitting…' : 'Submit'}
        </button>
      </form>
      {invalid && (
        <p id={errorId} className="field-error" role="alert">
          {`Enter a whole number from ${board.score_min} to ${board.score_max}.`}
        </p>
      )}
      <p id={boardHintId} className="hint">
        To {board.name}, current period. {describeSort(board.sort).rule}.
      </p>
      <p id={hintId} className="hint">
        {`A whole number from ${board.score_min} to ${board.score_max}.`}
      </p>
      <div aria-live="polite" className="feedback">
        {mutation.isSuccess && (
          <p className={mutation.data.message === 'Score already submitted' ? 'notice' : 'success'}>
            {mutation.data.message === 'Score already submitted'
              ? `Already submitted: ${mutation.data.value} (counted once).`
              : `Submitted: ${mutation.data.value}.`}
          </p>
        )}
        {mutation.isError && (
          <p className="error" role="alert">
            {mutation.error instanceof ApiError
              ? mutation.error.message
              : 'No answer from the server. Submit again to retry: it will not count twice.'}
          </p>
        )}
      </div>
    </section>
  );
}
