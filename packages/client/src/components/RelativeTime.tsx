import { formatExact, formatRelative } from './format-relative';
import { useNow } from './use-now';

/**
 * A moment as "3 minutes ago", kept current as time passes, on one line; the exact time shows
 * on hover and is in the markup for machines.
 */
export function RelativeTime({ at }: { at: string }) {
  const now = useNow();
  const date = new Date(at);
  return (
    <time className="when" dateTime={date.toISOString()} title={formatExact(date)}>
      {formatRelative(date, now)}
    </time>
  );
}
