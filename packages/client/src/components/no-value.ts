/**
 * What a best, an average or a rank shows before there is a first score: a 0 there would read
 * as a real score of 0.
 */
export const NO_VALUE = '—';
