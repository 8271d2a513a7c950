import type { ScoreMetadata } from '../../api/types';

/** Pairs shown of a score's metadata; the rest is counted, and all of it is in the full text. */
const MAX_PAIRS = 3;
/** Characters a shown value keeps before it is cut with an ellipsis. */
const MAX_VALUE = 16;

const cut = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

/** A value as one short line: strings as they are, anything else as compact JSON. */
const shortValue = (value: unknown) =>
  cut(typeof value === 'string' ? value : JSON.stringify(value), MAX_VALUE);

export type MetadataSummary = {
  /** "level: 3, character: Ada, replay: r-91…, +2 more" */
  short: string;
  /** The whole object, indented, for a tooltip. */
  full: string;
};

/**
 * A score's metadata (at most 1,024 bytes, depth 4, SPEC 2c) in a table cell: its first few
 * key: value pairs, long values cut; the full JSON goes beside it for whoever wants it.
 */
export function summarizeMetadata(metadata: ScoreMetadata): MetadataSummary {
  const entries = Object.entries(metadata);
  const pairs = entries
    .slice(0, MAX_PAIRS)
    .map(([key, value]) => `${cut(key, MAX_VALUE)}: ${shortValue(value)}`);
  const more = entries.length - MAX_PAIRS;
  return {
    short: more > 0 ? `${pairs.join(', ')}, +${more} more` : pairs.join(', '),
    full: JSON.stringify(metadata, null, 2),
  };
}
