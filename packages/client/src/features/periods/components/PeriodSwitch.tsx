import { useInfiniteQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { queries } from '../../../api/queries';
import type { Board, LeaderboardEntry, PeriodSelection, PeriodSummary } from '../../../api/types';
import { LoadMore } from '../../../components/LoadMore';
import { QueryState } from '../../../components/QueryState';
import { formatPeriod } from '../../boards/format-period';
import { formatRanked } from '../../boards/format-value';
import { distinctNames } from '../../players/distinct-names';

function Podium({ top, board }: { top: LeaderboardEntry[]; board: Board }) {
  const names = distinctNames(top.map((e) => ({ id: e.user_id, name: e.display_name })));
  return (
    <ol className="podium" aria-label="Top 3">
      {top.map((entry) => (
        <li key={entry.user_id} value={entry.rank}>
          {names.get(entry.user_id)}{' '}
          <span className="value">{formatRanked(entry.value ?? entry.high_score, board)}</span>
        </li>
      ))}
    </ol>
  );
}

function periodStatus(period: PeriodSummary, isCurrent: boolean): string {
  if (isCurrent) return 'In progress';
  return period.final ? 'Final' : 'Counting the last scores';
}

/**
 * Which period of the board to show: the current one, the previous one, or any from the archive
 * (every past period that had scores, newest first, with its dates, players, state and top 3).
 * Choosing the current period from the archive selects `current`, which the live updates keep.
 */
export function PeriodSwitch({
  board,
  selected,
  onSelect,
}: {
  board: Board;
  selected: PeriodSelection;
  onSelect: (period: PeriodSelection) => void;
}) {
  const resets = board.reset !== 'never';
  const archive = useInfiniteQuery({ ...queries.periods(board.id), enabled: resets });
  const titleId = useId();
  const periods = archive.data?.pages.flatMap((page) => page.items) ?? [];
  // Nothing before the current period (a new board): "Previous" would only find nothing.
  const hasPast = periods.some((period) => period.id !== board.current_period.id);

  return (
    <section className="card" aria-labelledby={titleId}>
      <h2 id={titleId}>Periods</h2>
      <div className="tabs" role="group" aria-label="Period">
        <button
          type="button"
          aria-pressed={selected === 'current'}
          onClick={() => onSelect('current')}
        >
          Current
        </button>
        {resets && (
          <button
            type="button"
            aria-pressed={selected === 'previous'}
            disabled={!hasPast}
            title={hasPast ? undefined : 'No previous period yet'}
            onClick={() => onSelect('previous')}
          >
            Previous
          </button>
        )}
      </div>
      {resets ? (
        <>
          <h3 className="subtitle">Archive</h3>
          <QueryState
            query={archive}
            empty={archive.isSuccess && !hasPast && 'No past period yet: this is the first.'}
          />
          <ul className="periods">
            {periods.map((period) => {
              const isCurrent = period.id === board.current_period.id;
              const selection = isCurrent ? 'current' : period.id;
              return (
                <li key={period.id}>
                  <button
                    type="button"
                    className="period"
                    aria-pressed={selected === selection}
                    onClick={() => onSelect(selection)}
                  >
                    {formatPeriod(period, board.timezone)}
                  </button>
                  <p className="hint">
                    {period.players} {period.players === 1 ? 'player' : 'players'} ·{' '}
                    {periodStatus(period, isCurrent)}
                  </p>
                  {period.top.length > 0 && <Podium top={period.top} board={board} />}
                </li>
              );
            })}
          </ul>
          <LoadMore pages={archive} label="Show older periods" />
        </>
      ) : (
        <p className="hint">This board never resets: it has one period.</p>
      )}
    </section>
  );
}
