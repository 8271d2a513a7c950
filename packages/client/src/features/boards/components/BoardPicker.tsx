import { useId } from 'react';
import type { Board } from '../../../api/types';
import { describeSort } from '../describe-sort';

/** Chooses the board the dashboard shows and submits to. */
export function BoardPicker({
  boards,
  selected,
  onSelect,
}: {
  boards: Board[];
  selected: string;
  onSelect: (id: string) => void;
}) {
  const id = useId();
  return (
    <div className="board-picker">
      <label htmlFor={id}>Board</label>
      <select id={id} value={selected} onChange={(e) => onSelect(e.target.value)}>
        {boards.map((board) => (
          <option key={board.id} value={board.id}>
            {board.sort === 'asc'
              ? `${board.name} (${describeSort('asc').rule.toLowerCase()})`
              : board.name}
          </option>
        ))}
      </select>
    </div>
  );
}
