/**
 * The score typed into the form, when the board takes it: a whole number within its range
 * (the server checks again). Null for anything else, an empty field included.
 */
export function parseScore(text: string, min: number, max: number): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) && value >= min && value <= max ? value : null;
}
