import { formatExact, formatRelative } from './format-relative';
import { useNow } from './use-now';

/**
 * A moment as "3 minutes ago", kept current as time passes, on one line; the exact time shows
 * on hover (in `timeZone`, a board's, when the moment belongs to a board) and is in the markup
 * for machines. The one way the dashboard shows a moment.
 */
export function RelativeTime({ at, timeZone }: { at: string; timeZone?: string }) {
  const now = useNow();
  const date = new Date(at);
  return (
    <time className="when" dateTime={date.toISOString()} title={formatExact(date, timeZone)}>
      {formatRelative(date, now)}
    </time>
  );
}
