import { useId, useRef, useState, type FormEvent } from 'react';
import { errorMessage } from '../../../api/error-message';
import type { ApiKeyScope, Board } from '../../../api/types';

/** POST /api/admin/api-keys: `boards` null lets the key submit to every board. */
export type NewApiKeyRequest = { name: string; scopes: ApiKeyScope[]; boards: string[] | null };

type Reach = 'all' | 'some';

/** The form for a new key; the section sends it, and shows the key it answers with. */
export function CreateApiKey({
  boards,
  pending,
  error,
  onCreate,
}: {
  boards: Board[];
  pending: boolean;
  error: unknown;
  onCreate: (request: NewApiKeyRequest) => void;
}) {
  const ids = {
    title: useId(),
    name: useId(),
    nameError: useId(),
    scope: useId(),
    boards: useId(),
  };
  const [name, setName] = useState('');
  const [nameMissing, setNameMissing] = useState(false);
  const nameInput = useRef<HTMLInputElement>(null);
  const [reach, setReach] = useState<Reach>('all');
  const [chosen, setChosen] = useState<string[]>([]);
  const noBoardChosen = reach === 'some' && chosen.length === 0;

  const toggle = (id: string, on: boolean) =>
    setChosen((current) => (on ? [...current, id] : current.filter((b) => b !== id)));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) {
      setNameMissing(true);
      nameInput.current?.focus();
      return;
    }
    if (noBoardChosen) return;
    onCreate({
      name: name.trim(),
      scopes: ['scores:write'],
      boards: reach === 'all' ? null : boards.map((b) => b.id).filter((id) => chosen.includes(id)),
    });
  };

  return (
    <section className="card" aria-labelledby={ids.title}>
      <h2 id={ids.title}>Create an API key</h2>
      <form onSubmit={submit} className="board-form" noValidate>
        <label htmlFor={ids.name}>Name</label>
        <input
          ref={nameInput}
          id={ids.name}
          type="text"
          required
          autoComplete="off"
          aria-invalid={nameMissing ? true : undefined}
          aria-describedby={nameMissing ? `${ids.nameError} ${ids.scope}` : ids.scope}
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            if (e.target.value.trim()) setNameMissing(false);
          }}
        />
        {nameMissing && (
          <p id={ids.nameError} className="field-error">
            Give the key a name, such as the server that will use it.
          </p>
        )}
        <p id={ids.scope} className="hint">
          What uses it, e.g. the game server. Its scope is <code>scores:write</code> (submitting
          scores), the only one.
        </p>
        <fieldset>
          <legend>Boards</legend>
          <label className="inline">
            <input
              type="radio"
              name={ids.boards}
              checked={reach === 'all'}
              onChange={() => setReach('all')}
            />{' '}
            All boards
          </label>
          <label className="inline">
            <input
              type="radio"
              name={ids.boards}
              checked={reach === 'some'}
              onChange={() => setReach('some')}
            />{' '}
            Only the boards chosen below
          </label>
          {reach === 'some' && (
            <ul className="choices" aria-label="Boards the key may submit to">
              {boards.map((board) => (
                <li key={board.id}>
                  <label className="inline">
                    <input
                      type="checkbox"
                      checked={chosen.includes(board.id)}
                      onChange={(e) => toggle(board.id, e.target.checked)}
                    />{' '}
                    {board.name} ({board.id})
                  </label>
                </li>
              ))}
            </ul>
          )}
          {noBoardChosen && <p className="hint">Choose at least one board.</p>}
        </fieldset>
        {error ? (
          <p className="error" role="alert">
            {errorMessage(error)}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={pending || noBoardChosen}>
          {pending ? 'Creating…' : 'Create key'}
        </button>
      </form>
    </section>
  );
}
