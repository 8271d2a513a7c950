import { useQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { ApiError } from '../../../api/http';
import { queries } from '../../../api/queries';
import { useSubmitScore } from '../hooks/useSubmitScore';

/** The score form; its range comes from the server's configuration. */
export function SubmitScoreForm({ token }: { token: string }) {
  const config = useQuery(queries.config());
  const { submit, mutation } = useSubmitScore(token);
  const [value, setValue] = useState('');
  const inputId = useId();
  const hintId = useId();

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed)) return;
    submit(parsed);
  };

  const range = config.data;
  return (
    <section className="card" aria-labelledby={`${inputId}-title`}>
      <h2 id={`${inputId}-title`}>Submit a score</h2>
      <form onSubmit={onSubmit} className="submit-form">
        <label htmlFor={inputId}>Score</label>
        <input
          id={inputId}
          type="number"
          inputMode="numeric"
          step={1}
          min={range?.score_min}
          max={range?.score_max}
          required
          aria-describedby={hintId}
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
        <button type="submit" className="primary" disabled={mutation.isPending || !range}>
          {mutation.isPending ? 'Submitting…' : 'Submit'}
        </button>
      </form>
      <p id={hintId} className="hint">
        {range
          ? `A whole number from ${range.score_min} to ${range.score_max}.`
          : 'Loading the allowed range…'}
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
