import { errorMessage } from '../api/error-message';

/** The part of a query's state (a plain or an infinite one) that decides what shows instead. */
type Status = { isPending: boolean; isError: boolean; isSuccess: boolean; error: unknown };

/**
 * What shows in place of a query's data while there is none to show: the server's error,
 * "Loading…", or, once loaded, `empty` when the data holds nothing (false when it does).
 */
export function QueryState({ query, empty = false }: { query: Status; empty?: string | false }) {
  return (
    <>
      {query.isError && (
        <p className="error" role="alert">
          {errorMessage(query.error)}
        </p>
      )}
      {query.isPending && <p className="hint">Loading…</p>}
      {query.isSuccess && empty && <p className="empty">{empty}</p>}
    </>
  );
}
