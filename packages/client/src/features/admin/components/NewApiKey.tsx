import { useId, useState } from 'react';
import type { CreatedApiKey } from '../../../api/types';

type Copy = 'not yet' | 'copied' | 'failed';

/**
 * A key just created. The server hands it out in this answer only, so it lives here and nowhere
 * else (not in the query cache): once dismissed, or the page left, it is gone.
 */
export function NewApiKey({ created, onDone }: { created: CreatedApiKey; onDone: () => void }) {
  const ids = { title: useId(), key: useId(), warning: useId() };
  const [copy, setCopy] = useState<Copy>('not yet');

  const copyKey = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopy('copied');
    } catch {
      setCopy('failed');
    }
  };

  return (
    <section className="card new-key" aria-labelledby={ids.title}>
      <h2 id={ids.title}>New API key “{created.name}”</h2>
      <p id={ids.warning} className="notice">
        Copy it now: it will not be shown again.
      </p>
      <label htmlFor={ids.key}>API key</label>
      <input
        id={ids.key}
        type="text"
        readOnly
        spellCheck={false}
        className="key"
        aria-describedby={ids.warning}
        value={created.key}
        onFocus={(e) => e.target.select()}
      />
      <div className="actions">
        <button type="button" className="primary" onClick={() => void copyKey()}>
          Copy
        </button>
        <button type="button" onClick={onDone}>
          Done, I have stored it
        </button>
      </div>
      <div aria-live="polite" className="feedback">
        {copy === 'copied' && <p className="success">Copied to the clipboard.</p>}
        {copy === 'failed' && (
          <p className="error">Could not copy: select the key and copy it by hand.</p>
        )}
      </div>
    </section>
  );
}
