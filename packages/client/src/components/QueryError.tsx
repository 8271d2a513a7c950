import { errorMessage } from '../api/error-message';

/** The part of a query's state (a plain or an infinite one) that its error and retry need. */
export type FailedQueryState = {
  isError: boolean;
  isFetching: boolean;
  error: unknown;
  refetch: () => Promise<unknown>;
};

/**
 * A failed query's error, with a button that fetches it again: the automatic retries have given
 * up by the time it shows, and the panel would otherwise wait for the next poll or live event.
 */
export function QueryError({ query }: { query: FailedQueryState }) {
  if (!query.isError) return null;
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
