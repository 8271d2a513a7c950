import type { Board } from '../../api/types';

type Display = Pick<Board, 'display_format' | 'unit'>;

/** The browser's locale: thousands separators and the decimal mark as the reader writes them. */
const numberFormat = (decimals: number) =>
  new Intl.NumberFormat(undefined, {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });

/** How many decimals a format shows: decimal:N shows N; a time in ms shows milliseconds. */
function decimalsOf(format: string): number {
  const decimal = /^decimal:(\d)$/.exec(format);
  return decimal ? Number(decimal[1]) : 0;
}

/** m:ss (and h:mm:ss from an hour on), with `.mmm` when `fraction` holds milliseconds. */
function clock(totalSeconds: number, milliseconds: number | null): string {
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const ss = String(seconds).padStart(2, '0');
  const mmm = milliseconds === null ? '' : `.${String(milliseconds).padStart(3, '0')}`;
  return hours > 0
    ? `${hours}:${String(minutes).padStart(2, '0')}:${ss}${mmm}`
    : `${minutes}:${ss}${mmm}`;
}

function withoutUnit(value: number, format: string): string {
  if (format === 'duration:ms' || format === 'duration:s') {
    const sign = value < 0 ? '-' : '';
    const magnitude = Math.round(Math.abs(value));
    return format === 'duration:ms'
      ? sign + clock(Math.floor(magnitude / 1000), magnitude % 1000)
      : sign + clock(magnitude, null);
  }
  const decimals = decimalsOf(format);
  return numberFormat(decimals).format(value / 10 ** decimals);
}

/**
 * A value in the board's own terms (its display format and unit): 1234567 reads "1,234,567" on
 * an integer board, "12,345.67 km" on a `decimal:2` board with the unit km, "20:34.567" as a
 * time in milliseconds. An average goes through it too, rounded to what the format shows.
 */
export function formatValue(value: number, board: Display): string {
  const text = withoutUnit(value, board.display_format ?? 'integer');
  return board.unit ? `${text} ${board.unit}` : text;
}

/**
 * A board's ranked value: a count board's value is a number of scores, not a score, so it reads
 * as a plain number; every other ranking's value is in the board's terms.
 */
export function formatRanked(value: number, board: Display & Pick<Board, 'ranking'>): string {
  return board.ranking === 'count' ? numberFormat(0).format(value) : formatValue(value, board);
}
