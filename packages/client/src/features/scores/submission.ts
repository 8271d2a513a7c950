/** One intended submission: the key is made once and reused for every retry of it. */
export type Submission = { key: string; value: number };

/**
 * The submission to send for `value`: the unconfirmed one if it is for the same value (a retry, a
 * double-click), otherwise a new one with a fresh key. After the server has confirmed a submission
 * the caller forgets it (passes null), so the next one gets a new key.
 */
export function submissionFor(
  unconfirmed: Submission | null,
  value: number,
  newKey: () => string = () => crypto.randomUUID(),
): Submission {
  return unconfirmed && unconfirmed.value === value ? unconfirmed : { key: newKey(), value };
}
