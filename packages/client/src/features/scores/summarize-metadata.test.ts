import { describe, expect, it } from 'vitest';
import { summarizeMetadata } from './summarize-metadata';

describe('a score’s metadata in short', () => {
  it('shows the first three pairs, counts the rest, and keeps the whole for the tooltip', () => {
    const metadata = { level: 3, character: 'Ada', mode: 'ranked', replay: 'r-91', seed: 7 };
    expect(summarizeMetadata(metadata)).toEqual({
      short: 'level: 3, character: Ada, mode: ranked, +2 more',
      full: JSON.stringify(metadata, null, 2),
    });
  });

  it('cuts long keys and values, and shows nested values as compact JSON', () => {
    expect(
      summarizeMetadata({
        replay: 'replay-0123456789abcdef',
        loadout: { weapon: 'bow', armour: 'leather' },
        a_rather_long_key_name: true,
      }).short,
    ).toBe('replay: replay-01234567…, loadout: {"weapon":"bow"…, a_rather_long_k…: true');
  });

  it('says nothing for an empty object', () => {
    expect(summarizeMetadata({}).short).toBe('');
  });
});
