import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { queryKeys } from '../../../api/queries';
import { formatExact } from '../../../components/format-relative';
import { fixNow } from '../../../test/fixed-now';
import { fakeServer } from '../../../test/fake-server';
import { renderWithClient } from '../../../test/render-with-client';
import { sessionStore } from '../../auth/session-store';
import { AccountPage } from './AccountPage';

const ACCOUNT = {
  id: '7',
  email: 'me@example.com',
  display_name: 'Me',
  role: 'player',
  created_at: '2026-11-01T10:00:00.000Z',
};
const EXPORT = {
  exported_at: '2026-11-25T12:00:00.000Z',
  account: ACCOUNT,
  scores: [{ id: '1', value: 42, board: 'global', created_at: '2026-11-02T10:00:00.000Z' }],
  standings: [],
};

/** What a screen reader says after a field's name: its hint and its error. */
function description(element: HTMLElement): string {
  return (element.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent)
    .join(' ');
}

const renderPage = () => renderWithClient(<AccountPage token="token" />);

describe('the account page', () => {
  beforeEach(() =>
    sessionStore.start({
      access_token: 'token',
      token_type: 'Bearer',
      expires_in: 3600,
      user: { id: ACCOUNT.id, email: ACCOUNT.email, display_name: ACCOUNT.display_name },
    }),
  );
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    vi.useRealTimers();
    sessionStore.end();
  });

  it('shows the account’s details', async () => {
    fixNow();
    fakeServer({ 'GET /api/me': () => Response.json(ACCOUNT) });
    renderPage();
    const details = screen.getByRole('region', { name: 'Account details' });
    await within(details).findByText('me@example.com');
    const terms = within(details)
      .getAllByRole('term')
      .map((term) => `${term.textContent}: ${term.nextElementSibling?.textContent}`);
    expect(terms).toEqual([
      'Email: me@example.com',
      'Display name: Me',
      'Role: Player',
      'Created: 3 weeks ago',
    ]);
    // The one date format: relative, the exact time on hover.
    expect(within(details).getByText('3 weeks ago').title).toBe(
      formatExact(new Date(ACCOUNT.created_at)),
    );
  });

  it('exports my data with my token, as a JSON file to download', async () => {
    const files: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((file) => {
      files.push(file as Blob);
      return `blob:export-${files.length}`;
    });
    const revoked = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    const { calls } = fakeServer({
      'GET /api/me': () => Response.json(ACCOUNT),
      'GET /api/me/export': () =>
        Response.json(EXPORT, {
          headers: { 'content-disposition': 'attachment; filename="scoreboard-export.json"' },
        }),
    });
    renderPage();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Export my data' }));

    const link = await screen.findByRole('link', { name: 'Download scoreboard-export.json' });
    expect(link.getAttribute('download')).toBe('scoreboard-export.json');
    expect(link.getAttribute('href')).toBe('blob:export-1');
    expect(files[0]!.type).toBe('application/json');
    expect(JSON.parse(await files[0]!.text())).toEqual(EXPORT);
    expect(calls.find((c) => c.url === '/api/me/export')!.authorization).toBe('Bearer token');

    // A second export replaces the first, whose file is let go.
    await user.click(screen.getByRole('button', { name: 'Export my data' }));
    await waitFor(() =>
      expect(
        screen.getByRole('link', { name: 'Download scoreboard-export.json' }).getAttribute('href'),
      ).toBe('blob:export-2'),
    );
    expect(revoked).toHaveBeenCalledWith('blob:export-1');
  });

  it('keeps the session when the password is wrong, and ends it once the account is deleted', async () => {
    const { calls } = fakeServer({
      'GET /api/me': () => Response.json(ACCOUNT),
      'DELETE /api/me': (body) =>
        (body as { password: string }).password === 'correct horse battery'
          ? new Response(null, { status: 204 })
          : Response.json(
              { statusCode: 403, error: 'Forbidden', message: 'Invalid password' },
              { status: 403 },
            ),
    });
    const client = renderPage();
    await screen.findByText('me@example.com');
    const user = userEvent.setup();
    const form = screen.getByRole('region', { name: 'Delete my account' });
    const password = within(form).getByLabelText('Password');
    expect(password.getAttribute('type')).toBe('password');
    const submit = within(form).getByRole('button', { name: 'Delete my account' });
    await user.type(password, 'wrong password');
    // Not without the confirmation.
    expect((submit as HTMLButtonElement).disabled).toBe(true);
    await user.click(within(form).getByLabelText(/I understand/));
    await user.click(submit);

    expect((await within(form).findByRole('alert')).textContent).toBe('Invalid password');
    expect(sessionStore.current?.token).toBe('token');
    expect(calls.at(-1)).toMatchObject({
      method: 'DELETE',
      url: '/api/me',
      body: { password: 'wrong password' },
      authorization: 'Bearer token',
    });

    await user.clear(password);
    await user.type(password, 'correct horse battery');
    await user.click(submit);
    await waitFor(() => expect(sessionStore.current).toBeNull());
    expect(sessionStore.message).toBe('Your account was deleted.');
    expect(client.getQueryCache().getAll()).toEqual([]);
  });

  it('says what is wrong with a new display name beside the field, and sends nothing', async () => {
    const { calls } = fakeServer({ 'GET /api/me': () => Response.json(ACCOUNT) });
    renderPage();
    const user = userEvent.setup();
    const form = screen.getByRole('region', { name: 'Display name' });
    const name = await within(form).findByLabelText('Display name');
    expect((name as HTMLInputElement).value).toBe('Me');
    const save = within(form).getByRole('button', { name: 'Save name' });
    // The name as it is: nothing to save.
    expect((save as HTMLButtonElement).disabled).toBe(true);

    await user.clear(name);
    await user.click(save);
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(description(name)).toBe(
      '1 to 32 characters, shown on every leaderboard. Enter a display name.',
    );
    expect(document.activeElement).toBe(name);

    await user.type(name, 'x'.repeat(33));
    expect(description(name)).toContain('Use at most 32 characters.');
    await user.type(name, '{Backspace}');
    expect(name.getAttribute('aria-invalid')).toBeNull();
    expect(calls.filter((c) => c.method === 'PATCH')).toEqual([]);
  });

  it('shows the server’s refusal of a name beside the field', async () => {
    fakeServer({
      'GET /api/me': () => Response.json(ACCOUNT),
      'PATCH /api/me': () =>
        Response.json(
          {
            statusCode: 400,
            error: 'Bad Request',
            message: 'display_name must be 1 to 32 printable characters',
            errors: [
              {
                field: 'display_name',
                message: 'display_name must be 1 to 32 printable characters',
              },
            ],
          },
          { status: 400 },
        ),
    });
    renderPage();
    const user = userEvent.setup();
    const form = screen.getByRole('region', { name: 'Display name' });
    const name = await within(form).findByLabelText('Display name');
    await user.clear(name);
    await user.type(name, 'Ada');
    await user.click(within(form).getByRole('button', { name: 'Save name' }));
    await waitFor(() =>
      expect(description(name)).toContain('display_name must be 1 to 32 printable characters'),
    );
    expect(within(form).queryByRole('alert')).toBeNull();
  });

  it('renames me, shows the new name, and asks every leaderboard again', async () => {
    const { calls } = fakeServer({
      'GET /api/me': () => Response.json(ACCOUNT),
      'PATCH /api/me': (body) => Response.json({ ...ACCOUNT, ...(body as object) }),
    });
    const client = renderPage();
    const leaderboard = queryKeys.leaderboard('race', 'current');
    client.setQueryData(leaderboard, { items: [], total_players: 0 });
    client.setQueryData(queryKeys.periods('race'), { pages: [], pageParams: [] });
    const user = userEvent.setup();
    const form = screen.getByRole('region', { name: 'Display name' });
    const name = await within(form).findByLabelText('Display name');
    await user.clear(name);
    await user.type(name, '  Ada Lovelace ');
    await user.click(within(form).getByRole('button', { name: 'Save name' }));

    expect(
      await within(form).findByText(
        'Your display name is now “Ada Lovelace” on every leaderboard.',
      ),
    ).toBeTruthy();
    expect(calls.at(-1)).toMatchObject({
      method: 'PATCH',
      url: '/api/me',
      body: { display_name: 'Ada Lovelace' },
      authorization: 'Bearer token',
    });
    const details = screen.getByRole('region', { name: 'Account details' });
    expect(within(details).getByText('Ada Lovelace')).toBeTruthy();
    expect((name as HTMLInputElement).value).toBe('Ada Lovelace');
    expect(sessionStore.current?.user.display_name).toBe('Ada Lovelace');
    expect(client.getQueryState(leaderboard)?.isInvalidated).toBe(true);
    expect(client.getQueryState(queryKeys.periods('race'))?.isInvalidated).toBe(true);
  });
});
