import { within } from '@testing-library/react';

/** A table row's cells, as the page shows them. */
export function cellTexts(row: HTMLElement): Array<string | null> {
  return within(row)
    .getAllByRole('cell')
    .map((cell) => cell.textContent);
}
