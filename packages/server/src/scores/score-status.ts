import type { ScoreStatus } from './dto/score.dto';

/** A score's state from its timestamps: removed by an admin, applied, dead-lettered or pending. */
export function scoreStatus(row: {
  applied_at: Date | null;
  dead_at: Date | null;
  removed_at: Date | null;
}): ScoreStatus {
  if (row.removed_at) return 'removed';
  if (row.applied_at) return 'processed';
  return row.dead_at ? 'dead' : 'pending';
}
