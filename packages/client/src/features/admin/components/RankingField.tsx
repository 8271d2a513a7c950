import type { BoardRanking } from '../../../api/types';
import { RANKING_CHOICES } from '../ranking-choices';
import { FormField } from './FormField';

/**
 * The board's ranking, with a sentence of what the chosen one means. `lockedBecause` says why it
 * cannot change (the board has scores, or is the global board): it is then shown, not offered.
 */
export function RankingField({
  inputId,
  hintId,
  errorId,
  value,
  lockedBecause,
  error,
  onChange,
}: {
  inputId: string;
  hintId: string;
  errorId: string;
  value: BoardRanking;
  lockedBecause: string | null;
  error?: string;
  onChange: (ranking: BoardRanking) => void;
}) {
  const chosen = RANKING_CHOICES.find((choice) => choice.value === value);
  return (
    <FormField
      label="Ranking"
      inputId={inputId}
      hintId={hintId}
      hint={`${chosen?.meaning ?? ''}${lockedBecause ? ` ${lockedBecause}` : ''}`}
      errorId={errorId}
      error={error}
    >
      <select
        id={inputId}
        value={value}
        disabled={lockedBecause !== null}
        onChange={(e) => onChange(e.target.value as BoardRanking)}
        aria-invalid={error ? true : undefined}
        aria-describedby={[hintId, error ? errorId : null].filter(Boolean).join(' ')}
      >
        {RANKING_CHOICES.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    </FormField>
  );
}
