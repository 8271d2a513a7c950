import { useQuery } from '@tanstack/react-query';
import { useId, useRef, useState, type FormEvent } from 'react';
import { errorMessage } from '../../../api/error-message';
import { ApiError } from '../../../api/http';
import { queries } from '../../../api/queries';
import { DISPLAY_NAME_MAX, displayNameProblem } from '../display-name-problem';
import { useRenameMe } from '../hooks/useRenameMe';

/** The server's refusal of the name itself (its field error), else null. */
function nameRefusal(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  const named = error.fieldErrors.filter((e) => e.field === 'display_name');
  if (named.length > 0) return named.map((e) => e.message).join('; ');
  return error.status === 400 ? error.message : null;
}

/**
 * The name shown on the leaderboards, changed in place. What is wrong with the name as typed is
 * said beside the field, before anything is sent (and again as it is corrected); the server's
 * refusal of the name shows there too, any other failure below.
 */
export function DisplayNameForm({ token }: { token: string }) {
  const ids = { title: useId(), input: useId(), hint: useId(), error: useId() };
  const input = useRef<HTMLInputElement>(null);
  const account = useQuery(queries.account(token));
  const rename = useRenameMe(token);
  /** What is typed; null until the user types, so that the field shows the current name. */
  const [draft, setDraft] = useState<string | null>(null);
  const [checked, setChecked] = useState(false);

  const current = account.data?.display_name ?? '';
  const typed = draft ?? current;
  const problem = (checked ? displayNameProblem(typed) : null) ?? nameRefusal(rename.error);
  const unchanged = typed.trim() === current;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = displayNameProblem(typed);
    if (found) {
      setChecked(true);
      input.current?.focus();
      return;
    }
    rename.mutate(typed.trim(), { onSuccess: () => setDraft(null) });
  };

  return (
    <section className="card" aria-labelledby={ids.title}>
      <h2 id={ids.title}>Display name</h2>
      {account.data ? (
        <form onSubmit={submit} noValidate>
          <label htmlFor={ids.input}>Display name</label>
          <input
            ref={input}
            id={ids.input}
            type="text"
            autoComplete="nickname"
            value={typed}
            onChange={(e) => {
              setDraft(e.target.value);
              rename.reset();
            }}
            aria-invalid={problem ? true : undefined}
            aria-describedby={[ids.hint, problem ? ids.error : null].filter(Boolean).join(' ')}
          />
          <p id={ids.hint} className="hint">
            1 to {DISPLAY_NAME_MAX} characters, shown on every leaderboard.
          </p>
          {problem && (
            <p id={ids.error} className="field-error">
              {problem}
            </p>
          )}
          {rename.isError && !nameRefusal(rename.error) && (
            <p className="error" role="alert">
              {errorMessage(rename.error)}
            </p>
          )}
          <button type="submit" disabled={rename.isPending || unchanged}>
            {rename.isPending ? 'Saving…' : 'Save name'}
          </button>
        </form>
      ) : (
        // A failure to load the account shows once, in its details above.
        account.isPending && <p className="hint">Loading…</p>
      )}
      <div aria-live="polite" className="feedback">
        {rename.isSuccess && (
          <p className="success">
            Your display name is now “{rename.data.display_name}” on every leaderboard.
          </p>
        )}
      </div>
    </section>
  );
}
