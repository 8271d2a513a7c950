import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Webhook, WebhookDelivery } from '../../../api/types';
import { cellTexts } from '../../../test/cell-texts';
import { fakeServer } from '../../../test/fake-server';
import { fixNow } from '../../../test/fixed-now';
import { renderWithClient } from '../../../test/render-with-client';
import { WebhooksSection } from './WebhooksSection';

const SECRET = 'whsec_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
const URL = 'https://game.example.com/events';

const webhook = (overrides: Partial<Webhook> = {}): Webhook => ({
  id: '1',
  url: URL,
  events: ['score.applied'],
  boards: null,
  enabled: true,
  created_at: '2026-11-20T10:00:00.000Z',
  updated_at: '2026-11-20T10:00:00.000Z',
  ...overrides,
});

const delivery = (overrides: Partial<WebhookDelivery> = {}): WebhookDelivery => ({
  id: '7',
  event_id: '6a0d2c4e-8b3f-4c1a-9e7d-5f2b1a0c9d8e',
  event: 'score.applied',
  status: 'failed',
  attempts: 12,
  last_status_code: 500,
  last_error: 'answered 500',
  next_attempt_at: null,
  created_at: '2026-11-24T10:00:00.000Z',
  delivered_at: null,
  ...overrides,
});

const list = () => screen.getByRole('region', { name: 'Webhooks' });
const rowOf = (url: string) =>
  within(list()).getAllByRole('cell', { name: url })[0]!.closest('tr')!;

describe('the webhooks section', () => {
  beforeEach(fixNow);
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('adds an endpoint for the chosen events and shows its secret once', async () => {
    const webhooks: Webhook[] = [];
    const server = fakeServer({
      'GET /api/admin/webhooks': () => Response.json({ items: webhooks }),
      'POST /api/admin/webhooks': () => {
        const created = webhook({ events: ['score.applied', 'period.finalized'] });
        webhooks.push(created);
        return Response.json({ ...created, secret: SECRET }, { status: 201 });
      },
    });
    renderWithClient(<WebhooksSection token="token" />);
    const user = userEvent.setup();
    expect(await screen.findByText('No webhooks yet.')).toBeTruthy();

    const form = screen.getByRole('region', { name: 'Add a webhook' });
    await user.type(within(form).getByLabelText('URL'), 'ftp://nope');
    await user.click(within(form).getByRole('button', { name: 'Add webhook' }));
    expect(within(form).getByText('Enter a URL starting with https:// or http://.')).toBeTruthy();
    await user.clear(within(form).getByLabelText('URL'));
    await user.type(within(form).getByLabelText('URL'), URL);
    await user.click(within(form).getByLabelText('period.finalized'));
    await user.click(within(form).getByRole('button', { name: 'Add webhook' }));

    const shown = await screen.findByRole('region', { name: `New webhook ${URL}` });
    expect((within(shown).getByLabelText('Signing secret') as HTMLInputElement).value).toBe(SECRET);
    expect(server.calls.find((c) => c.method === 'POST')!.body).toEqual({
      url: URL,
      events: ['score.applied', 'period.finalized'],
    });
    expect(cellTexts(await waitFor(() => rowOf(URL)))).toEqual([
      URL,
      'score.applied, period.finalized',
      'All boards',
      '5 days ago',
      'Enabled',
      'DeliveriesDisableDelete',
    ]);
    expect(list().textContent).not.toContain(SECRET);
    await user.click(within(shown).getByRole('button', { name: 'Done, I have stored it' }));
    expect(screen.queryByDisplayValue(SECRET)).toBeNull();
  });

  it('shows an endpoint’s deliveries and redelivers one; disables the endpoint', async () => {
    const server = fakeServer({
      'GET /api/admin/webhooks': () => Response.json({ items: [webhook()] }),
      'GET /api/admin/webhooks/1/deliveries?limit=20': () =>
        Response.json({ items: [delivery()], next_cursor: null }),
      'POST /api/admin/webhooks/1/deliveries/7/redeliver': () =>
        new Response(null, { status: 202 }),
      'PATCH /api/admin/webhooks/1': () => Response.json(webhook({ enabled: false })),
      'GET /api/admin/audit-log?limit=20': () => Response.json({ items: [], next_cursor: null }),
    });
    renderWithClient(<WebhooksSection token="token" />);
    const user = userEvent.setup();
    const row = await waitFor(() => rowOf(URL));
    await user.click(within(row).getByRole('button', { name: 'Deliveries' }));
    const log = await screen.findByRole('group', { name: `Deliveries to ${URL}` });
    const first = await within(log).findByRole('cell', { name: 'score.applied' });
    expect(cellTexts(first.closest('tr')!)).toEqual([
      'score.applied',
      'failed',
      '12',
      '500',
      '—',
      'Redeliver',
    ]);
    await user.click(within(log).getByRole('button', { name: 'Redeliver' }));
    expect(await within(log).findByText('Redelivery of score.applied queued.')).toBeTruthy();
    expect(server.count('POST', '/api/admin/webhooks/1/deliveries/7/redeliver')).toBe(1);

    await user.click(within(rowOf(URL)).getByRole('button', { name: 'Disable' }));
    expect(await screen.findByText(`Disabled ${URL}.`)).toBeTruthy();
    expect(server.calls.find((c) => c.method === 'PATCH')!.body).toEqual({ enabled: false });
  });
});
