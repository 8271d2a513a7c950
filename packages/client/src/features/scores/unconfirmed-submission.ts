import type { Submission } from './submission';

const PREFIX = 'scoreboard.unconfirmed-score';

/** One a user and board: the form sends one submission at a time, and keys are per user. */
const storageKey = (userId: string, board: string) => `${PREFIX}:${userId}:${board}`;

/**
 * The submission to a board that was sent and not yet confirmed, kept in the tab's
 * sessionStorage, so that after a reload (or the tab's crash) the form sends it again with the
 * same key and the server stores it once. Storage that refuses (full, disabled) only loses that.
 */
export const unconfirmedSubmission = {
  read(userId: string, board: string): Submission | null {
    try {
      const raw = sessionStorage.getItem(storageKey(userId, board));
      const parsed = raw ? (JSON.parse(raw) as Partial<Submission>) : null;
      return typeof parsed?.key === 'string' && typeof parsed.value === 'number'
        ? { key: parsed.key, value: parsed.value }
        : null;
    } catch {
      return null;
    }
  },

  keep(userId: string, board: string, submission: Submission): void {
    try {
      sessionStorage.setItem(storageKey(userId, board), JSON.stringify(submission));
    } catch {
      // Not kept: a reload then forgets it, as before.
    }
  },

  /** Forgets the submission of `key`, once confirmed or refused; a newer one stays. */
  forget(userId: string, board: string, key: string): void {
    try {
      if (this.read(userId, board)?.key === key)
        sessionStorage.removeItem(storageKey(userId, board));
    } catch {
      // Nothing to forget.
    }
  },
};
