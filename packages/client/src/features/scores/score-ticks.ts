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
