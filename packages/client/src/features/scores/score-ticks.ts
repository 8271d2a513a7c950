/**
 * Where the score axis is labelled: round values (1, 2 or 5 times a power of ten, whole
 * numbers only) about five steps apart, from min to max.
 */
export function scoreTicks(min: number, max: number): number[] {
  if (max <= min) return [min];
  const rough = (max - min) / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(
    1,
    [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!,
  );
  const ticks: number[] = [];
  for (let value = Math.ceil(min / step) * step; value <= max; value += step) ticks.push(value);
  return ticks;
}

/** A round step for about five labels over `span`. */
function stepFor(span: number): number {
  const rough = span / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  return Math.max(
    1,
    [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!,
  );
}

/**
 * The score axis fitted to the scores drawn, not to the board's whole range: from a round value
 * at or below the lowest to one at or above the highest, never past the board's range (`floor`,
 * `ceiling`) unless a score is. With no score, the board's range.
 */
export function fitAxis(
  values: number[],
  floor: number,
  ceiling: number,
): { min: number; max: number; ticks: number[] } {
  if (values.length === 0) return { min: floor, max: ceiling, ticks: scoreTicks(floor, ceiling) };
  const low = Math.min(...values);
  const high = Math.max(...values);
  // Some room around a single value (or equal ones), a tenth of the spread otherwise.
  const pad = high > low ? (high - low) / 10 : Math.max(1, Math.abs(high) / 10);
  const step = stepFor(high - low + 2 * pad);
  const min = Math.max(Math.min(floor, low), Math.floor((low - pad) / step) * step);
  const max = Math.min(Math.max(ceiling, high), Math.ceil((high + pad) / step) * step);
  return { min, max, ticks: scoreTicks(min, max) };
}
