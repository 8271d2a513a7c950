/** The most characters a display name may have (SPEC 2: signup's rule, also PATCH /api/me's). */
export const DISPLAY_NAME_MAX = 32;

/** Control, format and other invisible code points: the server refuses them in a name. */
const UNPRINTABLE = /\p{C}/u;

/**
 * What is wrong with a display name as typed, before anything is sent (null: nothing); the
 * server has the last word. Surrounding spaces are dropped, as at signup, and a name is counted
 * in characters as the server counts them (code points: an emoji is one).
 */
export function displayNameProblem(typed: string): string | null {
  const name = typed.trim();
  if (name === '') return 'Enter a display name.';
  if ([...name].length > DISPLAY_NAME_MAX) return `Use at most ${DISPLAY_NAME_MAX} characters.`;
  if (UNPRINTABLE.test(name)) return 'Use printable characters only.';
  return null;
}
