import { useId } from 'react';
import { errorMessage } from '../../../api/error-message';

/**
 * Asks once more before an action that cannot be undone (deleting an account), beside the row it
 * acts on. Takes the focus on Cancel when it opens, so that Enter does not confirm by accident.
 */
export function ConfirmAction({
  title,
  warning,
  confirmLabel,
  pending,
  error,
  onConfirm,
  onCancel,
}: {
  title: string;
  warning: string;
  confirmLabel: string;
  pending: boolean;
  error: unknown;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const id = useId();
  return (
    <div className="reason-form" role="group" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="subtitle">
        {title}
      </h3>
      <p className="notice">{warning}</p>
      {error ? (
        <p className="error" role="alert">
          {errorMessage(error)}
        </p>
      ) : null}
      <div className="actions">
        <button type="button" className="danger" disabled={pending} onClick={onConfirm}>
          {pending ? 'Deleting…' : confirmLabel}
        </button>
        <button type="button" autoFocus onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
