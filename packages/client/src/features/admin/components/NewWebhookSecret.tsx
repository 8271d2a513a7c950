import { useId } from 'react';
import type { CreatedWebhook } from '../../../api/types';

/**
 * The signing secret of an endpoint just created. The server hands it out in this answer only,
 * so it lives here and nowhere else (not in the query cache).
 */
export function NewWebhookSecret({
  created,
  onDone,
}: {
  created: CreatedWebhook;
  onDone: () => void;
}) {
  const ids = { title: useId(), secret: useId(), warning: useId() };
  return (
    <section className="card new-key" aria-labelledby={ids.title}>
      <h2 id={ids.title}>New webhook {created.url}</h2>
      <p id={ids.warning} className="notice">
        Store its signing secret now: it will not be shown again. The receiver checks the
        <code> Scoreboard-Signature</code> header of each request with it.
      </p>
      <label htmlFor={ids.secret}>Signing secret</label>
      <input
        id={ids.secret}
        type="text"
        readOnly
        spellCheck={false}
        className="key"
        aria-describedby={ids.warning}
        value={created.secret}
        onFocus={(e) => e.target.select()}
      />
      <div className="actions">
        <button type="button" onClick={onDone}>
          Done, I have stored it
        </button>
      </div>
    </section>
  );
}
