import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeBoard } from '../../../test/make-board';
import { renderWithClient } from '../../../test/render-with-client';
import { SubmitScoreForm } from './SubmitScoreForm';

type Call = { key: string | null; body: unknown };

/** A stand-in for the network: the component under test only sees fetch. */
function fakeServer(answers: Array<() => Promise<Response>>) {
  const calls: Call[] = [];
  const fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    calls.push({ key: headers.get('idempotency-key'), body: JSON.parse(String(init?.body)) });
    const answer = answers.shift();
    if (!answer) throw new Error('unexpected request');
    return answer();
  });
  vi.stubGlobal('fetch', fetchMock);
  return calls;
}

const stored =
  (value: number, message = 'Score submitted successfully') =>
  () =>
    Promise.resolve(
      Response.json(
        { id: '1', value, created_at: new Date().toISOString(), message },
        { status: 201 },
      ),
    );

const board = makeBoard({
  id: 'race',
  name: 'Race',
  sort: 'asc',
  reset: 'daily',
  current_period: {
    id: '1',
    starts_at: '2026-01-01T00:00:00.000Z',
    ends_at: '2026-01-02T00:00:00.000Z',
  },
});

const renderForm = (shown = board, userId = '7') =>
  renderWithClient(<SubmitScoreForm token="token" userId={userId} board={shown} />);

/** What the tab keeps of the submissions not confirmed yet. */
const keptInTab = () =>
  Object.fromEntries(Object.keys(sessionStorage).map((key) => [key, sessionStorage.getItem(key)]));

describe('SubmitScoreForm', () => {
  beforeEach(() => vi.restoreAllMocks());
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    sessionStorage.clear();
  });

  it('shows the board’s range and order, and submits to the board', async () => {
    const calls = fakeServer([stored(42)]);
    renderForm();
    expect(await screen.findByText('A whole number from 0 to 100.')).toBeTruthy();
    expect(screen.getByText('To Race, current period. Lower is better.')).toBeTruthy();
    expect(screen.getByLabelText('Score').getAttribute('max')).toBe('100');
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Score'), '42');
    await user.click(screen.getByRole('button', { name: 'Submit' }));
    await screen.findByText('Submitted: 42.');
    expect(calls[0]!.body).toEqual({ value: 42, board: 'race' });
    expect(screen.getByLabelText('Score')).toHaveProperty('value', '');
  });

  it('retries a submission whose response was lost with the same key, and counts it once', async () => {
    const calls = fakeServer([
      () => Promise.reject(new TypeError('network down')),
      stored(42, 'Score already submitted'),
    ]);
    renderForm();
    const user = userEvent.setup();
    await screen.findByText('A whole number from 0 to 100.');
    await user.type(screen.getByLabelText('Score'), '42');
    await user.click(screen.getByRole('button', { name: 'Submit' }));
    expect(await screen.findByRole('alert')).toHaveProperty(
      'textContent',
      expect.stringContaining('will not count twice'),
    );
    await user.click(screen.getByRole('button', { name: 'Submit' }));
    expect(await screen.findByText('Already submitted: 42 (counted once).')).toBeTruthy();
    expect(calls).toHaveLength(2);
    expect(calls[0]!.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(calls[1]!.key).toBe(calls[0]!.key);
  });

  it('keeps an unconfirmed submission in the tab, and after a reload sends it again with its key', async () => {
    const calls = fakeServer([
      () => Promise.reject(new TypeError('network down')),
      stored(42, 'Score already submitted'),
    ]);
    renderForm();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Score'), '42');
    await user.click(screen.getByRole('button', { name: 'Submit' }));
    await screen.findByText(/will not count twice/);
    const key = calls[0]!.key!;
    expect(keptInTab()).toEqual({
      'scoreboard.unconfirmed-score:7:race': JSON.stringify({ key, value: 42 }),
    });

    // The page is reloaded: a new form, on the same tab's storage.
    cleanup();
    renderForm();
    expect(await screen.findByText('Already submitted: 42 (counted once).')).toBeTruthy();
    expect(calls.map((call) => call.key)).toEqual([key, key]);
    expect(calls[1]!.body).toEqual({ value: 42, board: 'race' });
    expect(keptInTab()).toEqual({});
  });

  it('shows the unconfirmed value after a reload while it is sent again, and keeps it when that fails', async () => {
    sessionStorage.setItem(
      'scoreboard.unconfirmed-score:7:race',
      JSON.stringify({ key: 'the-key', value: 9 }),
    );
    const calls = fakeServer([() => Promise.reject(new TypeError('network down')), stored(9)]);
    renderForm();
    expect(screen.getByLabelText('Score')).toHaveProperty('value', '9');
    await screen.findByText(/will not count twice/);
    expect(keptInTab()).toHaveProperty(['scoreboard.unconfirmed-score:7:race']);

    await userEvent.setup().click(screen.getByRole('button', { name: 'Submit' }));
    await screen.findByText('Submitted: 9.');
    expect(calls.map((call) => call.key)).toEqual(['the-key', 'the-key']);
    expect(keptInTab()).toEqual({});
  });

  it('forgets a submission the server refused, and sends nothing of another user’s', async () => {
    sessionStorage.setItem(
      'scoreboard.unconfirmed-score:8:race',
      JSON.stringify({ key: 'their-key', value: 5 }),
    );
    const calls = fakeServer([
      () =>
        Promise.resolve(
          Response.json(
            { statusCode: 429, error: 'Too Many Requests', message: 'Too many submissions' },
            { status: 429 },
          ),
        ),
    ]);
    renderForm();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Score'), '42');
    await user.click(screen.getByRole('button', { name: 'Submit' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Too many submissions');
    expect(calls).toHaveLength(1);
    expect(Object.keys(keptInTab())).toEqual(['scoreboard.unconfirmed-score:8:race']);
  });

  it('sends one request for a double-click, and a new key for the next submission', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const calls = fakeServer([
      async () => {
        await gate;
        return stored(7)();
      },
      stored(7),
    ]);
    renderForm();
    const user = userEvent.setup();
    await screen.findByText('A whole number from 0 to 100.');
    await user.type(screen.getByLabelText('Score'), '7');
    const button = screen.getByRole('button', { name: 'Submit' });
    await user.dblClick(button);
    release();
    expect(await screen.findByText('Submitted: 7.')).toBeTruthy();
    expect(calls).toHaveLength(1);
    // Stored: the field is cleared for the next score.
    expect(screen.getByLabelText('Score')).toHaveProperty('value', '');
    await user.type(screen.getByLabelText('Score'), '7');
    await user.click(screen.getByRole('button', { name: 'Submit' }));
    await waitFor(() => expect(calls).toHaveLength(2));
    expect(calls[1]!.key).not.toBe(calls[0]!.key);
  });

  it('says what it takes, next to the field, and sends nothing for a value it does not take', async () => {
    const calls = fakeServer([stored(100)]);
    renderForm();
    const user = userEvent.setup();
    const input = screen.getByLabelText('Score');
    const message = 'Enter a whole number from 0 to 100.';
    expect(input.closest('form')!.noValidate).toBe(true);

    await user.click(screen.getByRole('button', { name: 'Submit' }));
    expect(screen.getByRole('alert').textContent).toBe(message);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    const errorId = screen.getByText(message).id;
    expect(input.getAttribute('aria-describedby')!.split(' ')).toContain(errorId);
    expect(document.activeElement).toBe(input);

    for (const text of ['101', '-1', '12.5']) {
      await user.clear(input);
      await user.type(input, text);
      await user.click(screen.getByRole('button', { name: 'Submit' }));
      expect(screen.getByText(message)).toBeTruthy();
    }
    expect(calls).toHaveLength(0);

    // Once the value is one it takes, the message goes, and the value is sent.
    await user.clear(input);
    await user.type(input, '100');
    expect(screen.queryByText(message)).toBeNull();
    expect(input.getAttribute('aria-invalid')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Submit' }));
    await screen.findByText('Submitted: 100.');
    expect(calls.map((call) => call.body)).toEqual([{ value: 100, board: 'race' }]);
  });

  it('takes the range of the board it submits to', async () => {
    fakeServer([]);
    renderForm({ ...board, score_min: 1, score_max: 100_000 });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Score'), '0');
    await user.click(screen.getByRole('button', { name: 'Submit' }));
    expect(screen.getByRole('alert').textContent).toBe('Enter a whole number from 1 to 100000.');
  });

  it('shows the server’s validation message as given', async () => {
    fakeServer([
      () =>
        Promise.resolve(
          Response.json(
            { statusCode: 400, error: 'Bad Request', message: 'value must be between 0 and 100' },
            { status: 400 },
          ),
        ),
    ]);
    // The board's range changed on the server since the list of boards was fetched.
    renderForm({ ...board, score_max: 1000 });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Score'), '500');
    await user.click(screen.getByRole('button', { name: 'Submit' }));
    expect((await screen.findByRole('alert')).textContent).toBe('value must be between 0 and 100');
  });
});
