import type { ScoreStatus } from '../../api/types';

/** A score's status in words: a removed score did count once, and no longer does. */
export const scoreStatusLabel: Record<ScoreStatus, string> = {
  pending: 'Pending',
  processed: 'Counted',
  dead: 'Failed',
  removed: 'Removed',
};
