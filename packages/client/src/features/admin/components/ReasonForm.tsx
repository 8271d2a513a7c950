import { useId, useState, type FormEvent } from 'react';
import { errorMessage } from '../../../api/error-message';

/** The server takes 1 to 500 characters. */
const MAX_REASON = 500;

/**
 * Asks why before an action the audit log keeps (a ban, a removed score): the action cannot be
 * confirmed without a reason. Takes the focus when it opens, beside the row it acts on.
 */
export function ReasonForm({
  title,
  submitLabel,
  pending,
  error,
  onConfirm,
  onCancel,
}: {
  title: string;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onConfirm: (reason: string) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [reason, setReason] = useState('');
  const trimmed = reason.trim();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (trimmed) onConfirm(trimmed);
  };

  return (
    <form className="reason-form" aria-labelledby={`${id}-title`} onSubmit={submit}>
      <h3 id={`${id}-title`} className="subtitle">
        {title}
      </h3>
      <label htmlFor={`${id}-reason`}>Reason</label>
      <textarea
        id={`${id}-reason`}
        rows={2}
        required
        maxLength={MAX_REASON}
        autoFocus
        aria-describedby={`${id}-hint`}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
      />
      <p id={`${id}-hint`} className="hint">
        Required, up to {MAX_REASON} characters; kept in the audit log.
      </p>
      {error ? (
        <p className="error" role="alert">
          {errorMessage(error)}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="danger" disabled={pending || !trimmed}>
          {pending ? 'Saving…' : submitLabel}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
