import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AdminScore, AdminUser } from '../../../api/types';
import { cellTexts } from '../../../test/cell-texts';
import { fakeServer } from '../../../test/fake-server';
import { fixNow } from '../../../test/fixed-now';
import { makeBoard } from '../../../test/make-board';
import { renderWithClient } from '../../../test/render-with-client';
import { PlayersSection } from './PlayersSection';

const ME = '1';

/** The admin routes, by method and URL, each asked with the admin's token. */
const adminServer = (routes: Parameters<typeof fakeServer>[0]) =>
  fakeServer(routes, { token: 'token' });

const player = (id: string, email: string, overrides: Partial<AdminUser> = {}): AdminUser => ({
  id,
  email,
  display_name: email.split('@')[0]!,
  role: 'player',
  banned_at: null,
  created_at: '2026-11-0' + id + 'T10:00:00.000Z',
  ...overrides,
});
const page = <T,>(items: T[], next_cursor: string | null = null) => ({ items, next_cursor });
const refused = (status: number, message: string) => () =>
  Response.json({ statusCode: status, error: 'Error', message }, { status });

const renderSection = () => renderWithClient(<PlayersSection token="token" userId={ME} />);

const rowOf = (text: string) => screen.getByRole('cell', { name: text }).closest('tr')!;

describe('the players section', () => {
  beforeEach(fixNow);
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('lists everyone at first, then the players whose email or name starts with the search', async () => {
    const ana = player('2', 'ana@example.com', { display_name: 'Ana' });
    const admin = player(ME, 'me@example.com', { role: 'admin' });
    const banned = player('3', 'bob@example.com', { banned_at: '2026-11-20T08:00:00.000Z' });
    const server = adminServer({
      'GET /api/admin/users?limit=20': () => Response.json(page([banned, ana, admin])),
      'GET /api/admin/users?query=an&limit=20': () => Response.json(page([ana])),
      'GET /api/admin/users?query=zed&limit=20': () => Response.json(page([])),
    });
    renderSection();
    await screen.findByRole('button', { name: 'ana@example.com' });
    expect(cellTexts(rowOf('Ana'))).toEqual([
      'ana@example.com',
      'Ana',
      'Player',
      'Active',
      '3 weeks ago',
      'BanDelete',
    ]);
    expect(cellTexts(rowOf('bob'))[3]).toBe('Banned 5 days ago');
    expect(within(rowOf('bob')).getByRole('button', { name: 'Unban' })).toBeTruthy();
    // No Ban button on the admin's own row.
    expect(cellTexts(rowOf('me'))).toContain('Admin');
    expect(within(rowOf('me')).queryByRole('button', { name: 'Ban' })).toBeNull();

    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Search players'), ' an ');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    await waitFor(() =>
      expect(screen.queryByRole('button', { name: 'bob@example.com' })).toBeNull(),
    );
    expect(screen.getByRole('button', { name: 'ana@example.com' })).toBeTruthy();
    expect(server.count('GET', '/api/admin/users?query=an&limit=20')).toBe(1);

    await user.clear(screen.getByLabelText('Search players'));
    await user.type(screen.getByLabelText('Search players'), 'zed{Enter}');
    expect(await screen.findByText('No player matches “zed”.')).toBeTruthy();
  });

  it('tells apart players of the same display name by their id', async () => {
    adminServer({
      'GET /api/admin/users?limit=20': () =>
        Response.json(
          page([
            player('3', 'ada@example.com', { display_name: 'ada' }),
            player('2', 'ada.l@example.com', { display_name: 'ada' }),
            player(ME, 'me@example.com', { role: 'admin' }),
          ]),
        ),
    });
    renderSection();
    await screen.findByRole('button', { name: 'ada@example.com' });
    expect(cellTexts(rowOf('ada@example.com'))[1]).toBe('ada · #3');
    expect(cellTexts(rowOf('ada.l@example.com'))[1]).toBe('ada · #2');
    expect(cellTexts(rowOf('me@example.com'))[1]).toBe('me');
  });

  it('deletes a player only once confirmed, and the list then leaves them out', async () => {
    let users = [player('2', 'ana@example.com'), player(ME, 'me@example.com', { role: 'admin' })];
    const server = adminServer({
      'GET /api/admin/users?limit=20': () => Response.json(page(users)),
      'DELETE /api/admin/users/2': () => {
        users = users.filter((u) => u.id !== '2');
        return new Response(null, { status: 204 });
      },
    });
    renderSection();
    const user = userEvent.setup();
    await screen.findByRole('button', { name: 'me@example.com' });
    // None on the admin's own row: one Delete, ana's.
    expect(within(rowOf('me')).queryByRole('button', { name: 'Delete' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Delete' }));

    const confirm = screen.getByRole('group', { name: 'Delete ana@example.com' });
    expect(within(confirm).getByText(/cannot be undone/)).toBeTruthy();
    // The focus is on Cancel: Enter does not delete by accident.
    expect(document.activeElement).toBe(within(confirm).getByRole('button', { name: 'Cancel' }));
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('group', { name: 'Delete ana@example.com' })).toBeNull();
    expect(server.count('DELETE', '/api/admin/users/2')).toBe(0);

    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await user.click(screen.getByRole('button', { name: 'Delete account' }));
    expect(await screen.findByText('Deleted ana@example.com and all their data.')).toBeTruthy();
    await waitFor(() =>
      expect(screen.queryByRole('button', { name: 'ana@example.com' })).toBeNull(),
    );
    expect(server.count('DELETE', '/api/admin/users/2')).toBe(1);
  });

  it('bans a player only with a reason, and the list then shows them banned', async () => {
    let ana = player('2', 'ana@example.com');
    const server = adminServer({
      'GET /api/admin/users?limit=20': () => Response.json(page([ana])),
      'POST /api/admin/users/2/ban': (body) => {
        ana = { ...ana, banned_at: '2026-11-25T12:00:00.000Z' };
        expect(body).toEqual({ reason: 'Impossible scores' });
        return Response.json(ana);
      },
    });
    renderSection();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Ban' }));

    const form = screen.getByRole('form', { name: 'Ban ana@example.com' });
    const reason = within(form).getByLabelText('Reason');
    expect(document.activeElement).toBe(reason);
    expect(reason.hasAttribute('required')).toBe(true);
    const confirm = within(form).getByRole('button', { name: 'Ban player' });
    expect((confirm as HTMLButtonElement).disabled).toBe(true);
    await user.type(reason, '   ');
    expect((confirm as HTMLButtonElement).disabled).toBe(true);
    await user.type(reason, 'Impossible scores ');
    await user.click(confirm);

    expect(await screen.findByText('Banned ana@example.com.')).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'Ban ana@example.com' })).toBeNull();
    await waitFor(() => expect(cellTexts(rowOf('ana'))[3]).toBe('Banned 30 minutes ago'));
    expect(server.count('POST', '/api/admin/users/2/ban')).toBe(1);
    expect(server.count('GET', '/api/admin/users?limit=20')).toBe(2);
  });

  it('shows a refused ban in the form, and cancelling sends nothing', async () => {
    const server = adminServer({
      'GET /api/admin/users?limit=20': () => Response.json(page([player('2', 'ana@example.com')])),
      'POST /api/admin/users/2/ban': refused(404, 'User not found'),
    });
    renderSection();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Ban' }));
    await user.type(screen.getByLabelText('Reason'), 'Spam');
    await user.click(screen.getByRole('button', { name: 'Ban player' }));
    expect((await screen.findByRole('alert')).textContent).toBe('User not found');

    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('form')).toBeNull();
    expect(server.count('POST', '/api/admin/users/2/ban')).toBe(1);
  });

  it('unbans a player, and the list then shows them active', async () => {
    let bob = player('3', 'bob@example.com', { banned_at: '2026-11-20T08:00:00.000Z' });
    const server = adminServer({
      'GET /api/admin/users?limit=20': () => Response.json(page([bob])),
      'POST /api/admin/users/3/unban': () => {
        bob = { ...bob, banned_at: null };
        return Response.json(bob);
      },
    });
    renderSection();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Unban' }));
    expect(await screen.findByText('Unbanned bob@example.com.')).toBeTruthy();
    await waitFor(() => expect(cellTexts(rowOf('bob'))[3]).toBe('Active'));
    expect(within(rowOf('bob')).getByRole('button', { name: 'Ban' })).toBeTruthy();
    expect(server.calls.find((c) => c.method === 'POST')).toEqual({
      method: 'POST',
      url: '/api/admin/users/3/unban',
      body: {},
      authorization: 'Bearer token',
    });
  });

  it('opens a player’s scores, newest first and paged, and removes one for a reason', async () => {
    const score = (id: string, value: number, overrides: Partial<AdminScore> = {}): AdminScore => ({
      id,
      value,
      board: 'global',
      created_at: `2026-11-2${id}T10:00:00.000Z`,
      status: 'processed',
      removed_at: null,
      removed_reason: null,
      ...overrides,
    });
    let best = score('4', 980);
    const older = score('3', 61_250, { board: 'race' });
    const removedBefore = score('2', 1000, {
      status: 'removed',
      removed_at: '2026-11-23T09:00:00.000Z',
      removed_reason: 'Duplicate',
    });
    const oldest = score('1', 12);
    // GET /api/boards (each board's display format) is public: asked without the token.
    const server = fakeServer({
      'GET /api/admin/users?limit=20': () => Response.json(page([player('2', 'ana@example.com')])),
      'GET /api/boards': () =>
        Response.json({
          items: [
            makeBoard({ score_max: 1_000_000 }),
            makeBoard({ id: 'race', display_format: 'duration:ms', timezone: 'Asia/Tokyo' }),
          ],
        }),
      'GET /api/admin/users/2/scores?limit=20': () =>
        Response.json(page([best, older, removedBefore], 'next')),
      'GET /api/admin/users/2/scores?limit=20&cursor=next': () => Response.json(page([oldest])),
      'DELETE /api/admin/scores/4': (body) => {
        expect(body).toEqual({ reason: 'Impossible time' });
        best = {
          ...best,
          status: 'removed',
          removed_at: '2026-11-25T12:00:00.000Z',
          removed_reason: 'Impossible time',
        };
        return new Response(null, { status: 204 });
      },
    });
    renderSection();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'ana@example.com' }));

    const scores = await screen.findByRole('region', { name: 'Scores of ana (ana@example.com)' });
    await within(scores).findByRole('cell', { name: '980' });
    const values = () =>
      within(scores)
        .getAllByRole('row')
        .slice(1)
        .map((row) => within(row).getAllByRole('cell')[2]!.textContent);
    // Each value in its board's terms: a time in milliseconds on the race board, thousands
    // separated elsewhere; the exact time on hover in the board's time zone.
    await waitFor(() => expect(values()).toEqual(['980', '1:01.250', '1,000']));
    const raceRow = within(scores).getByRole('cell', { name: '1:01.250' }).closest('tr')!;
    expect(raceRow.querySelector('time')!.title).toBe(
      new Date(older.created_at).toLocaleString(undefined, {
        dateStyle: 'medium',
        timeStyle: 'long',
        timeZone: 'Asia/Tokyo',
      }),
    );
    expect(cellTexts(within(scores).getByRole('cell', { name: '1,000' }).closest('tr')!)).toEqual([
      '3 days ago',
      'global',
      '1,000',
      'Removed2 days ago: Duplicate',
      '',
    ]);
    await user.click(within(scores).getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(values()).toEqual(['980', '1:01.250', '1,000', '12']));
    expect(within(scores).queryByRole('button', { name: 'Load more' })).toBeNull();

    const bestRow = within(scores).getByRole('cell', { name: '980' }).closest('tr')!;
    expect(cellTexts(bestRow)[3]).toBe('Counted');
    await user.click(within(bestRow).getByRole('button', { name: 'Remove' }));
    const form = screen.getByRole('form', { name: 'Remove the score 980 on global' });
    expect(
      (within(form).getByRole('button', { name: 'Remove score' }) as HTMLButtonElement).disabled,
    ).toBe(true);
    await user.type(within(form).getByLabelText('Reason'), 'Impossible time');
    await user.click(within(form).getByRole('button', { name: 'Remove score' }));

    expect(await within(scores).findByText('Removed the score 980 on global.')).toBeTruthy();
    await waitFor(() =>
      expect(cellTexts(within(scores).getByRole('cell', { name: '980' }).closest('tr')!)[3]).toBe(
        'Removed30 minutes ago: Impossible time',
      ),
    );
    expect(server.count('DELETE', '/api/admin/scores/4')).toBe(1);
    for (const call of server.calls.filter((c) => c.url.startsWith('/api/admin/')))
      expect(call.authorization).toBe('Bearer token');
    // Both pages fetched again, so that the list stays whole.
    expect(server.count('GET', '/api/admin/users/2/scores?limit=20')).toBe(2);
    expect(server.count('GET', '/api/admin/users/2/scores?limit=20&cursor=next')).toBe(2);

    await user.click(within(scores).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('region', { name: /^Scores of/ })).toBeNull();
  });
});
