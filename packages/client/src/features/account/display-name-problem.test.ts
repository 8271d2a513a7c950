import { describe, expect, it } from 'vitest';
import { displayNameProblem } from './display-name-problem';

describe('a display name as typed', () => {
  it('takes 1 to 32 printable characters, surrounding spaces aside, emoji counted as one', () => {
    expect(displayNameProblem('Ada')).toBeNull();
    expect(displayNameProblem('  Ada Lovelace  ')).toBeNull();
    expect(displayNameProblem('a'.repeat(32))).toBeNull();
    expect(displayNameProblem('🏁'.repeat(32))).toBeNull();
  });

  it('refuses an empty or blank name, a longer one, and invisible characters', () => {
    expect(displayNameProblem('')).toBe('Enter a display name.');
    expect(displayNameProblem('   ')).toBe('Enter a display name.');
    expect(displayNameProblem('a'.repeat(33))).toBe('Use at most 32 characters.');
    expect(displayNameProblem('Ada\u0007')).toBe('Use printable characters only.');
    expect(displayNameProblem('Ad\u200ba')).toBe('Use printable characters only.');
  });
});
