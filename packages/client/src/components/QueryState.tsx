import { QueryError, type FailedQueryState } from './QueryError';

/** The part of a query's state (a plain or an infinite one) that decides what shows instead. */
type Status = FailedQueryState & { isPending: boolean; isSuccess: boolean };

/**
 * What shows in place of a query's data while there is none to show: the server's error with a
 * Retry button, "Loading…", or, once loaded, `empty` when the data holds nothing (false when it
 * does).
 */
export function QueryState({ query, empty = false }: { query: Status; empty?: string | false }) {
  return (
    <>
      <QueryError query={query} />
      {query.isPending && !query.isError && <p className="hint">Loading…</p>}
      {query.isSuccess && empty && <p className="empty">{empty}</p>}
    </>
  );
}
