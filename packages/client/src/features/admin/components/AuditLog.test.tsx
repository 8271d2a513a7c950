import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from '../../../api/types';
import { cellTexts } from '../../../test/cell-texts';
import { fakeServer } from '../../../test/fake-server';
import { fixNow } from '../../../test/fixed-now';
import { renderWithClient } from '../../../test/render-with-client';
import { AuditLog } from './AuditLog';

const ada = { id: '1', email: 'ada@example.com', display_name: 'Ada' };
const sam = { id: '12', email: 'sam@example.com', display_name: 'Sam' };
const entry = (id: string, action: string, target: string, reason: string | null = null) =>
  ({
    id,
    at: `2026-11-${10 + Number(id)}T10:00:00.000Z`,
    actor_id: '1',
    action,
    target,
    reason,
    actor: ada,
    target_user: target === 'user:12' ? sam : target === 'user:1' ? ada : null,
  }) satisfies AuditEntry;

const rows = () => within(screen.getByRole('table')).getAllByRole('row').slice(1).map(cellTexts);

describe('the audit log', () => {
  beforeEach(fixNow);
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('shows the newest entries first, and older pages on “Load more” until there are none', async () => {
    const server = fakeServer(
      {
        'GET /api/admin/audit-log?limit=20': () =>
          Response.json({
            items: [
              entry('4', 'scores.remove', 'score:7', 'Impossible time'),
              entry('3', 'users.ban', 'user:12', 'Cheating'),
            ],
            next_cursor: 'older',
          }),
        'GET /api/admin/audit-log?limit=20&cursor=older': () =>
          Response.json({
            items: [
              entry('2', 'api-keys.create', 'api-key:3'),
              {
                ...entry('1', 'users.set-role', 'user:1', 'set to admin from the command line'),
                actor_id: null,
                actor: null,
              },
            ],
            next_cursor: null,
          }),
      },
      { token: 'token' },
    );
    renderWithClient(<AuditLog token="token" />);
    await screen.findByRole('table');
    expect(rows()).toEqual([
      ['last week', 'Ada (ada@example.com)', 'removed the score #7', 'Impossible time'],
      ['last week', 'Ada (ada@example.com)', 'banned Sam', 'Cheating'],
    ]);

    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(rows()).toHaveLength(4));
    expect(rows().slice(2)).toEqual([
      ['last week', 'Ada (ada@example.com)', 'created the API key #3', ''],
      ['2 weeks ago', 'Command line', 'made Ada an admin', 'set to admin from the command line'],
    ]);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    expect(server.calls.map((c) => c.url)).toEqual([
      '/api/admin/audit-log?limit=20',
      '/api/admin/audit-log?limit=20&cursor=older',
    ]);
  });
});
