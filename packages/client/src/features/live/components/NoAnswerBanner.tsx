import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { reachability } from '../../../api/reachability';

/**
 * The page's one word on a server that does not answer: shown while its requests (and the live
 * stream's reconnections) get no answer, gone with the first answer, when every query is fetched
 * again so that nothing missed in between stays out of date.
 */
export function NoAnswerBanner() {
  const queryClient = useQueryClient();
  const answering = useSyncExternalStore(reachability.subscribe, () => reachability.current);

  useEffect(
    () =>
      reachability.subscribe(() => {
        if (reachability.current) void queryClient.invalidateQueries();
      }),
    [queryClient],
  );

  if (answering) return null;
  return (
    <p className="banner" role="alert">
      The server is not answering. What you see is what it last sent; the page catches up by itself
      once it answers again.
    </p>
  );
}
