import { useQuery } from '@tanstack/react-query';
import { queries } from '../../../api/queries';
import type { Board } from '../../../api/types';
import { NO_VALUE } from '../../../components/no-value';
import { QueryState } from '../../../components/QueryState';
import { RankedValue } from '../../boards/components/RankedValue';
import { formatValue } from '../../boards/format-value';

/**
 * My standing in the current period of every board I have a score on: rank, the value the board
 * ranks by (my best, the lowest on an asc board; my latest score; my total; my number of games),
 * count and average. A board's name selects it.
 */
export function MyBoards({
  token,
  boards,
  selected,
  onSelect,
  poll,
}: {
  token: string;
  boards: Board[];
  selected: string;
  onSelect: (board: string) => void;
  poll: number | false;
}) {
  const standings = useQuery({ ...queries.myBoards(token), refetchInterval: poll });
  const byId = new Map(boards.map((board) => [board.id, board]));
  const items = (standings.data?.items ?? []).filter((item) => byId.has(item.board));

  return (
    <section className="card wide" aria-labelledby="my-boards-title">
      <h2 id="my-boards-title">My boards</h2>
      <QueryState
        query={standings}
        empty={items.length === 0 && 'No scores on any board yet this period.'}
      />
      {items.length > 0 && (
        // Scrolls sideways rather than widen a phone's screen; focusable to scroll by keyboard.
        <div className="table-scroll" tabIndex={0} role="region" aria-label="My boards table">
          <table className="table" aria-describedby="my-boards-hint">
            <thead>
              <tr>
                <th scope="col">Board</th>
                <th scope="col">Rank</th>
                <th scope="col">Standing</th>
                <th scope="col" className="wide-only">
                  Count
                </th>
                <th scope="col" className="wide-only">
                  Average
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => {
                const board = byId.get(item.board)!;
                return (
                  <tr key={item.board} aria-current={item.board === selected ? 'true' : undefined}>
                    <th scope="row">
                      <button type="button" className="link" onClick={() => onSelect(item.board)}>
                        {board.name}
                      </button>
                    </th>
                    <td>{item.rank === null ? NO_VALUE : `#${item.rank}`}</td>
                    <td>
                      {/* A server that predates rankings sends only the best. */}
                      <RankedValue
                        value={item.value !== undefined ? item.value : item.best}
                        board={board}
                      />
                    </td>
                    <td className="wide-only">{item.total_scores}</td>
                    <td className="wide-only">
                      {item.total_scores > 0 ? formatValue(item.average, board) : NO_VALUE}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <p id="my-boards-hint" className="hint">
        This period on each board. Standing is what the board ranks by: your best (the lowest where
        lower is better), your latest score, your total or your number of games.
      </p>
    </section>
  );
}
