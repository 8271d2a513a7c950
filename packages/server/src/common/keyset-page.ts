/** A page of a list that is paged by id: its items, and the cursor of the next page (if any). */
export type KeysetPage<T> = { items: T[]; next_cursor: string | null };

/**
 * The page out of `limit + 1` rows read (the extra row only tells that another page follows,
 * which then starts after this page's last id).
 */
export function keysetPage<R, T extends { id: string }>(
  rows: R[],
  limit: number,
  toItem: (row: R) => T,
): KeysetPage<T> {
  const items = rows.slice(0, limit).map(toItem);
  return { items, next_cursor: rows.length > limit ? items[items.length - 1]!.id : null };
}
