import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiKey } from '../../../api/types';
import { cellTexts } from '../../../test/cell-texts';
import { fakeServer } from '../../../test/fake-server';
import { fixNow } from '../../../test/fixed-now';
import { makeBoard } from '../../../test/make-board';
import { renderWithClient } from '../../../test/render-with-client';
import { ApiKeysSection } from './ApiKeysSection';

const BOARDS = [
  makeBoard(),
  makeBoard({ id: 'race', name: 'Race' }),
  makeBoard({ id: 'puzzle', name: 'Puzzle' }),
];
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

const renderSection = () => renderWithClient(<ApiKeysSection token="token" boards={BOARDS} />);

const keyList = () => screen.getByRole('region', { name: 'API keys' });
const createForm = () => screen.getByRole('region', { name: 'Create an API key' });
const rowOf = (name: string) => within(keyList()).getByRole('cell', { name }).closest('tr')!;

describe('the API keys section', () => {
  beforeEach(fixNow);
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    vi.useRealTimers();
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
    expect(cellTexts(await waitFor(() => rowOf('Old importer')))).toEqual([
      'Old importer',
      'scores:write',
      'All boards',
      '5 days ago',
      '4 days ago',
      'Revoked 3 days ago',
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
    expect(cellTexts(await waitFor(() => rowOf('Game server')))).toEqual([
      'Game server',
      'scores:write',
      'race, puzzle',
      '5 days ago',
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

  it('asks for a name itself, beside the field, and sends nothing without one', async () => {
    const server = fakeServer({ 'GET /api/admin/api-keys': () => Response.json({ items: [] }) });
    renderSection();
    const user = userEvent.setup();
    const form = createForm();
    const name = within(form).getByLabelText('Name');
    await user.type(name, '   ');
    await user.click(within(form).getByRole('button', { name: 'Create key' }));

    const problem = within(form).getByText(
      'Give the key a name, such as the server that will use it.',
    );
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(name.getAttribute('aria-describedby')).toContain(problem.id);
    expect(document.activeElement).toBe(name);
    expect(server.calls.filter((call) => call.method === 'POST')).toEqual([]);

    await user.type(name, 'Game server');
    expect(name.getAttribute('aria-invalid')).toBeNull();
    expect(within(form).queryByText(/Give the key a name/)).toBeNull();
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
    await waitFor(() => expect(cellTexts(rowOf('CI'))[5]).toBe('Revoked 30 minutes ago'));
    expect(within(rowOf('CI')).queryByRole('button', { name: 'Revoke' })).toBeNull();
    expect(server.count('DELETE', '/api/admin/api-keys/5')).toBe(1);
    expect(server.count('GET', '/api/admin/api-keys')).toBe(2);
  });
});
