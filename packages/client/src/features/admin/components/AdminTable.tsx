import { useLayoutEffect, useRef, type ReactNode } from 'react';

/**
 * A list of the console under its column headings. On a narrow screen each row stacks into a
 * card, each cell under its column's name (a `data-label` the stylesheet shows), so no column is
 * cut off; cells that span the row (a row's details) keep the full width.
 */
export function AdminTable({ columns, children }: { columns: string[]; children: ReactNode }) {
  const body = useRef<HTMLTableSectionElement>(null);
  // After every render: rows come and go with the pages and the details a row opens.
  useLayoutEffect(() => {
    for (const row of body.current?.rows ?? []) {
      if (row.parentElement !== body.current) continue;
      [...row.cells].forEach((cell, index) => {
        if (cell.colSpan === 1 && columns[index]) cell.dataset.label = columns[index];
      });
    }
  });
  return (
    <div className="table-scroll">
      <table className="table stacks">
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody ref={body}>{children}</tbody>
      </table>
    </div>
  );
}
