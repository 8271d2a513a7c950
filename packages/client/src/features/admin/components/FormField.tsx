import type { ReactNode } from 'react';

/** A labelled control of a form, with its hint and, after a refusal, its error below it. */
export function FormField({
  label,
  inputId,
  hint,
  hintId,
  error,
  errorId,
  children,
}: {
  label: string;
  inputId: string;
  hint?: string;
  hintId: string;
  error?: string;
  errorId: string;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      {children}
      {hint && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
