const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 60 * 60_000],
  ['month', 30 * 24 * 60 * 60_000],
  ['week', 7 * 24 * 60 * 60_000],
  ['day', 24 * 60 * 60_000],
  ['hour', 60 * 60_000],
  ['minute', 60_000],
];

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
/** One formatter per time zone (undefined: the browser's), made once: they are costly to make. */
const exactIn = new Map<string | undefined, Intl.DateTimeFormat>();

/**
 * "now", "3 minutes ago", "yesterday", in the largest unit that fits. Under a minute either way
 * is "now": the clocks of the server and the browser differ by that much.
 */
export function formatRelative(at: Date, now: number): string {
  const elapsed = now - at.getTime();
  for (const [unit, ms] of UNITS) {
    if (Math.abs(elapsed) >= ms) return relative.format(-Math.trunc(elapsed / ms), unit);
  }
  return relative.format(0, 'second');
}

/**
 * The date and time to the second, with the time zone: "Nov 25, 2026, 2:34:10 PM UTC"; in
 * `timeZone` (a board's, so that it reads like the board's periods) or else the browser's.
 */
export function formatExact(at: Date, timeZone?: string): string {
  let format = exactIn.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat(undefined, {
      dateStyle: 'medium',
      timeStyle: 'long',
      timeZone,
    });
    exactIn.set(timeZone, format);
  }
  return format.format(at);
}
