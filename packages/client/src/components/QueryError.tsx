import { errorMessage } from '../api/error-message';
import { NoAnswerError } from '../api/reachability';

/** The part of a query's state (a plain or an infinite one) that its error and retry need. */
export type FailedQueryState = {
  data?: unknown;
  isError: boolean;
  isFetching: boolean;
  error: unknown;
  refetch: () => Promise<unknown>;
};

/**
 * A failed query's error, with a button that fetches it again: the automatic retries have given
 * up by the time it shows, and the panel would otherwise wait for the next poll or live event.
 * No answer at all is not this panel's error but the server's silence, which the page's one
 * banner tells: the panel keeps what it showed, or says it waits.
 */
export function QueryError({ query }: { query: FailedQueryState }) {
  if (!query.isError) return null;
  if (query.error instanceof NoAnswerError)
    return query.data === undefined ? <p className="hint">Waiting for the server…</p> : null;
  return (
    <div className="query-error">
      <p className="error" role="alert">
        {errorMessage(query.error)}
      </p>
      <button type="button" onClick={() => void query.refetch()} disabled={query.isFetching}>
        {query.isFetching ? 'Retrying…' : 'Retry'}
      </button>
    </div>
  );
}
