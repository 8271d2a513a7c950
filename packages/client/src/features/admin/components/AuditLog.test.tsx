import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from '../../../api/types';
import { cellTexts } from '../../../test/cell-texts';
import { fakeServer } from '../../../test/fake-server';
import { fixNow } from '../../../test/fixed-now';
import { renderWithClient } from '../../../test/render-with-client';
import { AuditLog } from './AuditLog';

const entry = (id: string, action: string, target: string, reason: string | null = null) =>
  ({
    id,
    at: `2026-11-${10 + Number(id)}T10:00:00.000Z`,
    actor_id: '1',
    action,
    target,
    reason,
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
              { ...entry('1', 'users.set-role', 'user:1'), actor_id: null },
            ],
            next_cursor: null,
          }),
      },
      { token: 'token' },
    );
    renderWithClient(<AuditLog token="token" />);
    await screen.findByRole('table');
    expect(rows()).toEqual([
      ['last week', 'user:1', 'scores.remove', 'score:7', 'Impossible time'],
      ['last week', 'user:1', 'users.ban', 'user:12', 'Cheating'],
    ]);

    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(rows()).toHaveLength(4));
    expect(rows().slice(2)).toEqual([
      ['last week', 'user:1', 'api-keys.create', 'api-key:3', ''],
      ['2 weeks ago', 'None', 'users.set-role', 'user:1', ''],
    ]);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    expect(server.calls.map((c) => c.url)).toEqual([
      '/api/admin/audit-log?limit=20',
      '/api/admin/audit-log?limit=20&cursor=older',
    ]);
  });
});
