import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiKey, Board } from '../../../api/types';
import { ApiKeysSection } from './ApiKeysSection';

type Call = { method: string; url: string; body: unknown };
type Route = (body: unknown) => Response;

/** The admin routes, by method and URL; the calls are kept for the test to read. */
function fakeServer(routes: Record<string, Route>) {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      const method = init?.method ?? 'GET';
      const body = init?.body ? JSON.parse(String(init.body)) : undefined;
      calls.push({ method, url, body });
      const route = routes[`${method} ${url}`];
      if (!route) throw new Error(`unexpected request ${method} ${url}`);
      return route(body);
    }),
  );
  return {
    calls,
    count: (method: string, url: string) =>
      calls.filter((c) => c.method === method && c.url === url).length,
  };
}

const board = (id: string, name: string): Board => ({
  id,
  name,
  sort: 'desc',
  score_min: 0,
  score_max: 100,
  reset: 'never',
  timezone: 'UTC',
  authoritative: false,
  max_submissions_per_minute: 0,
  archived: false,
  created_at: '2026-11-01T00:00:00.000Z',
  current_period: { id: '1', starts_at: '2026-11-01T00:00:00.000Z', ends_at: null },
});
const BOARDS = [board('global', 'Global'), board('race', 'Race'), board('puzzle', 'Puzzle')];
const SECRET = 'sbk_3_4f9c2e8a1b7d6c5e';

const apiKey = (id: string, name: string, overrides: Partial<ApiKey> = {}): ApiKey => ({
  id,
  name,
  scopes: ['scores:write'],
  boards: null,
  created_at: '2026-11-20T10:00:00.000Z',
  last_used_at: null,
  revoked_at: null,
  ...overrides,
});

function renderSection() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <ApiKeysSection token="token" boards={BOARDS} />
    </QueryClientProvider>,
  );
}

const keyList = () => screen.getByRole('region', { name: 'API keys' });
const createForm = () => screen.getByRole('region', { name: 'Create an API key' });
const rowOf = (name: string) => within(keyList()).getByRole('cell', { name }).closest('tr')!;
const cells = (row: HTMLElement) =>
  within(row)
    .getAllByRole('cell')
    .map((cell) => cell.textContent);

describe('the API keys section', () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it('creates a key for some boards and shows the key once, with a copy button and a warning', async () => {
    const keys: ApiKey[] = [
      apiKey('1', 'Old importer', {
        last_used_at: '2026-11-21T10:00:00.000Z',
        revoked_at: '2026-11-22T10:00:00.000Z',
      }),
    ];
    const server = fakeServer({
      'GET /api/admin/api-keys': () => Response.json({ items: keys }),
      'POST /api/admin/api-keys': () => {
        const created = apiKey('3', 'Game server', { boards: ['race', 'puzzle'] });
        keys.unshift(created);
        const { id, name, scopes, boards, created_at } = created;
        return Response.json(
          { id, name, scopes, boards, created_at, key: SECRET },
          { status: 201 },
        );
      },
    });
    renderSection();
    const user = userEvent.setup();
    expect(cells(await waitFor(() => rowOf('Old importer')))).toEqual([
      'Old importer',
      'scores:write',
      'All boards',
      new Date('2026-11-20T10:00:00.000Z').toLocaleString(),
      new Date('2026-11-21T10:00:00.000Z').toLocaleString(),
      `Revoked ${new Date('2026-11-22T10:00:00.000Z').toLocaleString()}`,
      '',
    ]);

    const form = createForm();
    await user.type(within(form).getByLabelText('Name'), 'Game server');
    await user.click(within(form).getByLabelText('Only the boards chosen below'));
    const create = within(form).getByRole('button', { name: 'Create key' }) as HTMLButtonElement;
    expect(create.disabled).toBe(true);
    expect(within(form).getByText('Choose at least one board.')).toBeTruthy();
    await user.click(within(form).getByLabelText('Puzzle (puzzle)'));
    await user.click(within(form).getByLabelText('Race (race)'));
    await user.click(create);

    const shown = await screen.findByRole('region', { name: 'New API key “Game server”' });
    expect((within(shown).getByLabelText('API key') as HTMLInputElement).value).toBe(SECRET);
    expect(within(shown).getByText('Copy it now: it will not be shown again.')).toBeTruthy();
    await user.click(within(shown).getByRole('button', { name: 'Copy' }));
    expect(await within(shown).findByText('Copied to the clipboard.')).toBeTruthy();
    expect(await navigator.clipboard.readText()).toBe(SECRET);
    expect(server.calls.find((c) => c.method === 'POST')!.body).toEqual({
      name: 'Game server',
      scopes: ['scores:write'],
      boards: ['race', 'puzzle'],
    });

    // The list has it (never the key itself), and the form is blank for the next one.
    expect(cells(await waitFor(() => rowOf('Game server')))).toEqual([
      'Game server',
      'scores:write',
      'race, puzzle',
      new Date('2026-11-20T10:00:00.000Z').toLocaleString(),
      'Never',
      'Active',
      'Revoke',
    ]);
    expect(keyList().textContent).not.toContain(SECRET);
    expect((within(createForm()).getByLabelText('Name') as HTMLInputElement).value).toBe('');
    expect((within(createForm()).getByLabelText('All boards') as HTMLInputElement).checked).toBe(
      true,
    );

    await user.click(within(shown).getByRole('button', { name: 'Done, I have stored it' }));
    expect(screen.queryByRole('region', { name: /New API key/ })).toBeNull();
    expect(document.body.textContent).not.toContain(SECRET);
    expect(screen.queryByDisplayValue(SECRET)).toBeNull();
  });

  it('sends a key for all boards as boards: null, and shows a refusal', async () => {
    const server = fakeServer({
      'GET /api/admin/api-keys': () => Response.json({ items: [] }),
      'POST /api/admin/api-keys': () =>
        Response.json(
          { statusCode: 400, error: 'Bad Request', message: 'name must be 1 to 64 characters' },
          { status: 400 },
        ),
    });
    renderSection();
    const user = userEvent.setup();
    expect(await screen.findByText('No API keys yet.')).toBeTruthy();
    await user.type(screen.getByLabelText('Name'), 'CI');
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    expect((await screen.findByRole('alert')).textContent).toBe('name must be 1 to 64 characters');
    expect(server.calls.find((c) => c.method === 'POST')!.body).toEqual({
      name: 'CI',
      scopes: ['scores:write'],
      boards: null,
    });
    expect(screen.queryByRole('region', { name: /New API key/ })).toBeNull();
  });

  it('revokes a key once confirmed, and lists it as revoked', async () => {
    let ci = apiKey('5', 'CI', { boards: ['global'] });
    const server = fakeServer({
      'GET /api/admin/api-keys': () => Response.json({ items: [ci] }),
      'DELETE /api/admin/api-keys/5': () => {
        ci = { ...ci, revoked_at: '2026-11-25T12:00:00.000Z' };
        return new Response(null, { status: 204 });
      },
    });
    renderSection();
    const user = userEvent.setup();
    await user.click(await within(keyList()).findByRole('button', { name: 'Revoke' }));
    const confirm = () =>
      screen.getByRole('group', {
        name: 'Revoke the key “CI”? Whatever uses it is refused from then on; this cannot be undone.',
      });
    await user.click(within(confirm()).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('group', { name: /^Revoke the key/ })).toBeNull();
    expect(server.count('DELETE', '/api/admin/api-keys/5')).toBe(0);

    await user.click(within(keyList()).getByRole('button', { name: 'Revoke' }));
    expect(document.activeElement).toBe(
      within(confirm()).getByRole('button', { name: 'Revoke key' }),
    );
    await user.click(within(confirm()).getByRole('button', { name: 'Revoke key' }));
    expect(await screen.findByText('Revoked the key “CI”.')).toBeTruthy();
    await waitFor(() =>
      expect(cells(rowOf('CI'))[5]).toBe(
        `Revoked ${new Date('2026-11-25T12:00:00.000Z').toLocaleString()}`,
      ),
    );
    expect(within(rowOf('CI')).queryByRole('button', { name: 'Revoke' })).toBeNull();
    expect(server.count('DELETE', '/api/admin/api-keys/5')).toBe(1);
    expect(server.count('GET', '/api/admin/api-keys')).toBe(2);
  });
});
