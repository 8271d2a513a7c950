import { useId, useState, type FormEvent } from 'react';
import { errorMessage } from '../../../api/error-message';
import type { WebhookEventType } from '../../../api/types';

/** POST /api/admin/webhooks (every board: the console does not limit endpoints to boards). */
export type NewWebhookRequest = { url: string; events: WebhookEventType[] };

export const WEBHOOK_EVENTS: WebhookEventType[] = [
  'score.applied',
  'period.finalized',
  'player.banned',
  'player.unbanned',
  'score.removed',
  'player.deleted',
];

/** The form for a new endpoint; the section sends it, and shows the secret it answers with. */
export function CreateWebhook({
  pending,
  error,
  onCreate,
}: {
  pending: boolean;
  error: unknown;
  onCreate: (request: NewWebhookRequest) => void;
}) {
  const ids = { title: useId(), url: useId(), urlError: useId(), hint: useId() };
  const [url, setUrl] = useState('');
  const [urlProblem, setUrlProblem] = useState<string | null>(null);
  const [events, setEvents] = useState<WebhookEventType[]>(['score.applied']);

  const toggle = (event: WebhookEventType, on: boolean) =>
    setEvents((current) => (on ? [...current, event] : current.filter((e) => e !== event)));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!/^https?:\/\/\S+$/.test(url.trim())) {
      setUrlProblem('Enter a URL starting with https:// or http://.');
      return;
    }
    if (events.length === 0) return;
    onCreate({ url: url.trim(), events: WEBHOOK_EVENTS.filter((e) => events.includes(e)) });
  };

  return (
    <section className="card" aria-labelledby={ids.title}>
      <h2 id={ids.title}>Add a webhook</h2>
      <form onSubmit={submit} className="board-form" noValidate>
        <label htmlFor={ids.url}>URL</label>
        <input
          id={ids.url}
          type="url"
          required
          autoComplete="off"
          aria-invalid={urlProblem ? true : undefined}
          aria-describedby={urlProblem ? `${ids.urlError} ${ids.hint}` : ids.hint}
          value={url}
          onChange={(e) => {
            setUrl(e.target.value);
            setUrlProblem(null);
          }}
        />
        {urlProblem && (
          <p id={ids.urlError} className="field-error">
            {urlProblem}
          </p>
        )}
        <p id={ids.hint} className="hint">
          Events are sent there as signed <code>POST</code> requests; private and local addresses
          are refused.
        </p>
        <fieldset>
          <legend>Events</legend>
          <ul className="choices" aria-label="Events to send">
            {WEBHOOK_EVENTS.map((event) => (
              <li key={event}>
                <label className="inline">
                  <input
                    type="checkbox"
                    checked={events.includes(event)}
                    onChange={(e) => toggle(event, e.target.checked)}
                  />{' '}
                  <code>{event}</code>
                </label>
              </li>
            ))}
          </ul>
          {events.length === 0 && <p className="hint">Choose at least one event.</p>}
        </fieldset>
        {error ? (
          <p className="error" role="alert">
            {errorMessage(error)}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={pending || events.length === 0}>
          {pending ? 'Adding…' : 'Add webhook'}
        </button>
      </form>
    </section>
  );
}
