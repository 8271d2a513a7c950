import { cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiFetch } from '../api/http';
import { sessionStore } from '../features/auth/session-store';
import { fakeServer } from '../test/fake-server';
import { makeBoard } from '../test/make-board';
import { renderWithClient } from '../test/render-with-client';
import { App } from './App';

const USER = { id: '7', email: 'me@example.com', display_name: 'Me' };
const ACCOUNT = { ...USER, role: 'player', created_at: '2026-11-01T10:00:00.000Z' };
const GLOBAL = makeBoard();

const suspended = () =>
  Response.json(
    { statusCode: 403, error: 'Forbidden', message: 'Account suspended' },
    { status: 403 },
  );

const refused = () =>
  Response.json(
    { statusCode: 401, error: 'Unauthorized', message: 'Invalid token' },
    { status: 401 },
  );

/** A live stream that stays open until the page lets it go. */
function openStream(signal: AbortSignal | null | undefined): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      signal?.addEventListener('abort', () =>
        controller.error(new DOMException('aborted', 'AbortError')),
      );
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

/** The routes the account page needs (it is the page with the fewest), and the test's own. */
const accountPageServer = (routes: Parameters<typeof fakeServer>[0]) =>
  fakeServer({
    'GET /api/me': () => Response.json(ACCOUNT),
    'GET /api/boards': () => Response.json({ items: [GLOBAL] }),
    'GET /api/stream?boards=global': (_body, init) => openStream(init?.signal),
    ...routes,
  });

const renderApp = () => renderWithClient(<App />);

const loginForm = () => screen.getByRole('form', { name: 'Log in' });

beforeEach(() => {
  window.location.hash = '#/account';
  sessionStore.start({
    access_token: 'token',
    token_type: 'Bearer',
    expires_in: 3600,
    user: USER,
  });
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  sessionStore.end();
  window.location.hash = '';
});

describe('a suspended account', () => {
  it('is sent to the login page, which says why, when a request answers 403 Account suspended', async () => {
    accountPageServer({
      'GET /api/me': suspended,
      'POST /api/auth/login': suspended,
    });
    renderApp();
    expect(await screen.findByText('Your account is suspended.')).toBeTruthy();
    expect(sessionStore.current).toBeNull();
    expect(localStorage.getItem('scoreboard.session')).toBeNull();

    // Logging in again is refused with the server's word for it.
    const user = userEvent.setup();
    await user.type(within(loginForm()).getByLabelText('Email'), USER.email);
    await user.type(within(loginForm()).getByLabelText('Password'), 'correct horse battery');
    await user.click(within(loginForm()).getByRole('button', { name: 'Log in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Account suspended');
    expect(sessionStore.current).toBeNull();
  });

  it('is sent to the login page when a ban ends the live stream and its reconnection is refused', async () => {
    let banned = false;
    let endStream = () => {};
    const server = accountPageServer({
      'GET /api/me': () => (banned ? suspended() : Response.json(ACCOUNT)),
      'GET /api/stream?boards=global': () => {
        if (banned) return suspended();
        return new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              endStream = () => controller.close();
              controller.enqueue(new TextEncoder().encode('event: heartbeat\ndata: {}\n\n'));
            },
          }),
          { headers: { 'content-type': 'text/event-stream' } },
        );
      },
    });
    renderApp();
    await screen.findByText('Live');
    await screen.findByText('me@example.com');

    banned = true;
    endStream();
    expect(
      await screen.findByText('Your account is suspended.', {}, { timeout: 5000 }),
    ).toBeTruthy();
    // The refused stream was not retried: the account was asked again instead, and said why.
    expect(server.count('GET', '/api/stream?boards=global')).toBe(2);
    expect(server.count('GET', '/api/me')).toBe(2);
  });

  it('keeps the session for any other 403', async () => {
    accountPageServer({
      'DELETE /api/me': () =>
        Response.json(
          { statusCode: 403, error: 'Forbidden', message: 'Invalid password' },
          { status: 403 },
        ),
    });
    renderApp();
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Password'), 'wrong password');
    await user.click(screen.getByLabelText(/I understand/));
    await user.click(screen.getByRole('button', { name: 'Delete my account' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Invalid password');
    expect(sessionStore.current?.token).toBe('token');
    expect(screen.getByRole('heading', { name: 'My account' })).toBeTruthy();
  });
});

describe('deleting my account', () => {
  it('is reached from the top bar, and ends on the login page with a notice and nothing cached', async () => {
    window.location.hash = '';
    accountPageServer({
      'GET /api/me/boards': () => Response.json({ items: [] }),
      'GET /api/me/results?limit=10': () => Response.json({ items: [], next_cursor: null }),
      'GET /api/me/stats?board=global&period=current': () =>
        Response.json({
          user_id: USER.id,
          total_scores: 0,
          average: 0,
          high_score: 0,
          pending_scores: 0,
          updated_at: null,
        }),
      'GET /api/me/scores?limit=50&board=global': () =>
        Response.json({ items: [], next_cursor: null }),
      'GET /api/boards/global/leaderboard?period=current&limit=10': () =>
        Response.json({
          items: [],
          total_players: 0,
          period: { ...GLOBAL.current_period, final: false },
        }),
      'GET /api/boards/global/leaderboard/me?period=current&radius=3': () =>
        Response.json({
          rank: null,
          items: [],
          period: { ...GLOBAL.current_period, final: false },
        }),
      'DELETE /api/me': () => new Response(null, { status: 204 }),
      'GET /api/me/stats?board=global&period=all': () => refused(),
    });
    const client = renderApp();
    const user = userEvent.setup();
    await screen.findByRole('heading', { name: 'Submit a score' });
    // No Pages menu for a player, but the account is linked for everyone.
    expect(screen.queryByRole('navigation', { name: 'Pages' })).toBeNull();
    await user.click(screen.getByRole('link', { name: 'My account' }));
    expect(screen.getByRole('link', { name: 'My account' }).getAttribute('aria-current')).toBe(
      'page',
    );
    await user.type(await screen.findByLabelText('Password'), 'correct horse battery');
    await user.click(screen.getByLabelText(/I understand/));
    await user.click(screen.getByRole('button', { name: 'Delete my account' }));

    expect(await screen.findByText('Your account was deleted.')).toBeTruthy();
    expect(loginForm()).toBeTruthy();
    expect(window.location.hash).toBe('#/');
    expect(client.getQueryCache().getAll()).toEqual([]);

    // A request the page sent before the deletion, refused (401) after it, does not replace the
    // reason the session ended.
    await expect(
      apiFetch('/api/me/stats?board=global&period=all', { token: 'token' }),
    ).rejects.toThrow('Invalid token');
    expect(screen.getByText('Your account was deleted.')).toBeTruthy();
    expect(screen.queryByText(/session has expired/)).toBeNull();
  });
});

describe('a refused token', () => {
  it('ends the session that carried it, but not a newer one', async () => {
    accountPageServer({ 'GET /api/me/stats?board=global&period=all': () => refused() });
    renderApp();
    await screen.findByText('me@example.com');
    // The answer to a request of an earlier session comes after this one began.
    await expect(
      apiFetch('/api/me/stats?board=global&period=all', { token: 'an earlier token' }),
    ).rejects.toThrow('Invalid token');
    expect(sessionStore.current?.token).toBe('token');
    expect(screen.getByText('me@example.com')).toBeTruthy();

    await expect(
      apiFetch('/api/me/stats?board=global&period=all', { token: 'token' }),
    ).rejects.toThrow('Invalid token');
    expect(
      await screen.findByText('Your session has expired or was refused. Please log in again.'),
    ).toBeTruthy();
    expect(sessionStore.current).toBeNull();
  });
});

describe('the session shared by the browser’s tabs', () => {
  const KEY = 'scoreboard.session';
  /** What another tab of the same browser does to the session, as this tab hears it. */
  const otherTabWrites = (value: string | null) => {
    if (value === null) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, value);
    window.dispatchEvent(new StorageEvent('storage', { key: KEY, newValue: value }));
  };
  const OTHER = { id: '8', email: 'other@example.com', display_name: 'Other' };

  it('ends here too when I log out in another tab', async () => {
    accountPageServer({});
    renderApp();
    await screen.findByText('me@example.com');
    otherTabWrites(null);
    expect(await screen.findByText('You were logged out in another tab.')).toBeTruthy();
    expect(loginForm()).toBeTruthy();
    expect(sessionStore.current).toBeNull();
  });

  it('follows a log in as another user in another tab, with a notice and nothing of mine cached', async () => {
    const server = accountPageServer({
      'GET /api/me': (_body, init) =>
        Response.json(
          new Headers(init?.headers).get('authorization') === 'Bearer other-token'
            ? { ...OTHER, role: 'player', created_at: ACCOUNT.created_at }
            : ACCOUNT,
        ),
    });
    const client = renderApp();
    await screen.findByText('me@example.com');
    otherTabWrites(
      JSON.stringify({ token: 'other-token', user: OTHER, expiresAt: Date.now() + 3_600_000 }),
    );
    expect(
      await screen.findByText('You are now logged in as Other, as in your other tab.'),
    ).toBeTruthy();
    expect(await screen.findByText('other@example.com')).toBeTruthy();
    expect(screen.queryByText('me@example.com')).toBeNull();
    expect(sessionStore.current?.token).toBe('other-token');
    expect(server.calls.filter((c) => c.url === '/api/me').map((c) => c.authorization)).toEqual([
      'Bearer token',
      'Bearer other-token',
    ]);
    expect(client.getQueryData(['account'])).toMatchObject({ email: OTHER.email });
  });

  it('shows my new name in the top bar once I rename myself, and in my other tabs', async () => {
    accountPageServer({
      'PATCH /api/me': (body) => Response.json({ ...ACCOUNT, ...(body as object) }),
    });
    renderApp();
    const user = userEvent.setup();
    const form = screen.getByRole('region', { name: 'Display name' });
    const name = await within(form).findByLabelText('Display name');
    await user.clear(name);
    await user.type(name, 'Ada');
    await user.click(within(form).getByRole('button', { name: 'Save name' }));
    await within(form).findByText(/Your display name is now “Ada”/);
    expect(document.querySelector('.topbar .who')?.textContent).toBe('Ada');
    expect(JSON.parse(localStorage.getItem(KEY)!)).toMatchObject({
      token: 'token',
      user: { ...USER, display_name: 'Ada' },
    });
  });

  it('follows a rename in another tab, without a word', async () => {
    accountPageServer({});
    renderApp();
    await screen.findByText('me@example.com');
    const session = JSON.parse(localStorage.getItem(KEY)!) as { user: typeof USER };
    otherTabWrites(JSON.stringify({ ...session, user: { ...session.user, display_name: 'Ada' } }));
    await vi.waitFor(() => expect(document.querySelector('.topbar .who')?.textContent).toBe('Ada'));
    expect(sessionStore.message).toBeNull();
    expect(sessionStore.current?.token).toBe('token');
  });

  it('ignores the other keys of the storage', async () => {
    accountPageServer({});
    renderApp();
    await screen.findByText('me@example.com');
    window.dispatchEvent(new StorageEvent('storage', { key: 'something.else', newValue: 'x' }));
    expect(sessionStore.current?.token).toBe('token');
    expect(screen.getByText('me@example.com')).toBeTruthy();
  });
});
