import type { Period } from '../../api/types';

/**
 * A period's dates in the board's time zone (where its resets happen), e.g.
 * "Nov 25, 2026, 14:34 – 14:35 UTC"; an open-ended one as "Since Nov 25, 2026, 14:33 UTC".
 */
export function formatPeriod(period: Period, timezone: string, locale?: string): string {
  const format = new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: timezone,
    timeZoneName: 'short',
  });
  const start = new Date(period.starts_at);
  return period.ends_at
    ? format.formatRange(start, new Date(period.ends_at))
    : `Since ${format.format(start)}`;
}
