import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../api/types';
import { describeAction, describeActor } from './describe-audit-entry';

const ada = { id: '1', email: 'ada@example.com', display_name: 'Ada' };
const entry = (overrides: Partial<AuditEntry>): AuditEntry => ({
  id: '9',
  at: '2026-12-01T10:00:00.000Z',
  actor_id: '1',
  action: 'users.ban',
  target: 'user:2',
  reason: null,
  actor: ada,
  target_user: { id: '2', email: 'sam@example.com', display_name: 'Sam' },
  ...overrides,
});

describe('an audit entry in words', () => {
  it('names the admin by name and email, and the command-line tool as such', () => {
    expect(describeActor(entry({}))).toBe('Ada (ada@example.com)');
    expect(describeActor(entry({ actor_id: null, actor: null }))).toBe('Command line');
    expect(describeActor(entry({ actor: null }))).toBe('user #1 (deleted)');
    expect(describeActor(entry({ actor: undefined }))).toBe('user #1');
  });

  it('says what was done to whom', () => {
    expect(describeAction(entry({}))).toBe('banned Sam');
    expect(
      describeAction(
        entry({ action: 'users.set-role', reason: 'set to admin from the command line' }),
      ),
    ).toBe('made Sam an admin');
    expect(describeAction(entry({ action: 'users.delete', target_user: null }))).toBe(
      'deleted the account of user #2 (deleted)',
    );
    expect(describeAction(entry({ action: 'boards.create', target: 'board:speedrun' }))).toBe(
      'created the board speedrun',
    );
    expect(describeAction(entry({ action: 'something.new', target: 'thing:3' }))).toBe(
      'something.new thing:3',
    );
  });
});
