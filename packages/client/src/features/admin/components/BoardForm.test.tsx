import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeBoard } from '../../../test/make-board';
import { renderWithClient } from '../../../test/render-with-client';
import { CreateBoard } from './CreateBoard';
import { EditBoard } from './EditBoard';

type Call = { method: string; url: string; body: unknown };

/** A board's archive as GET /api/boards/:board/periods lists it: the current period alone. */
const archiveOf = (players: number) =>
  Response.json({
    items: [
      {
        id: '3',
        starts_at: '2026-11-24T05:00:00.000Z',
        ends_at: '2026-12-01T05:00:00.000Z',
        final: false,
        players,
        top: [],
      },
    ],
    next_cursor: null,
  });

/**
 * The admin routes, answering in turn; the calls are kept for the test to read. A board's
 * archive, which the edit form reads to know whether the board has scores, answers apart.
 */
function fakeServer(answers: Array<() => Response>, { players = 0 }: { players?: number } = {}) {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      if (/^\/api\/boards\/[^/]+\/periods\?/.test(url)) return archiveOf(players);
      calls.push({
        method: init?.method ?? 'GET',
        url,
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
      });
      const answer = answers.shift();
      if (!answer) throw new TypeError('network down');
      return answer();
    }),
  );
  return calls;
}

const refused = (errors: Array<{ field: string; message: string }>) => () =>
  Response.json(
    {
      statusCode: 400,
      error: 'Bad Request',
      message: errors.map((e) => e.message).join('; '),
      errors,
    },
    { status: 400 },
  );

const board = makeBoard({
  id: 'race',
  name: 'Race',
  sort: 'asc',
  score_min: 1,
  score_max: 100_000,
  reset: '0 6 * * 1',
  timezone: 'Europe/Paris',
  current_period: {
    id: '3',
    starts_at: '2026-11-24T05:00:00.000Z',
    ends_at: '2026-12-01T05:00:00.000Z',
  },
});

/** What a screen reader says after a field's name: its hint and its error. */
function description(element: HTMLElement): string {
  return (element.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent)
    .join(' ');
}

describe('creating a board', () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it('shows each of the server’s field errors next to its field and focuses the first', async () => {
    const calls = fakeServer([
      refused([
        { field: 'id', message: 'id must be 1 to 64 of a-z, 0-9 and -' },
        { field: 'timezone', message: 'timezone must be an IANA time zone name' },
        {
          field: 'max_submissions_per_minute',
          message: 'max_submissions_per_minute must be between 0 and 1000000',
        },
      ]),
    ]);
    renderWithClient(<CreateBoard token="token" />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Id'), 'Bad Id');
    await user.type(screen.getByLabelText('Name'), 'Bad');
    await user.clear(screen.getByLabelText('Time zone'));
    await user.type(screen.getByLabelText('Time zone'), 'Mars/Base');
    await user.clear(screen.getByLabelText('Max submissions per minute'));
    await user.type(screen.getByLabelText('Max submissions per minute'), '-1');
    await user.click(screen.getByRole('button', { name: 'Create board' }));

    const id = screen.getByLabelText('Id');
    await waitFor(() => expect(id.getAttribute('aria-invalid')).toBe('true'));
    expect(description(id)).toContain('id must be 1 to 64 of a-z, 0-9 and -');
    expect(description(screen.getByLabelText('Time zone'))).toContain(
      'timezone must be an IANA time zone name',
    );
    expect(description(screen.getByLabelText('Max submissions per minute'))).toContain(
      'max_submissions_per_minute must be between 0 and 1000000',
    );
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBeNull();
    expect(document.activeElement).toBe(id);
    expect(screen.getByRole('alert').textContent).toBe(
      'The board was not saved: check the fields marked below.',
    );
    expect(calls[0]).toEqual({
      method: 'POST',
      url: '/api/admin/boards',
      body: {
        id: 'Bad Id',
        name: 'Bad',
        sort: 'desc',
        reset: 'never',
        authoritative: false,
        timezone: 'Mars/Base',
        max_submissions_per_minute: -1,
      },
    });
  });

  it('puts a cron error next to the cron expression, and sends every setting', async () => {
    const calls = fakeServer([
      refused([
        {
          field: 'reset',
          message: 'reset has 61 in its minute field, which takes 0 to 59',
        },
      ]),
      () => Response.json({ ...board, id: 'sprint', name: 'Sprint' }, { status: 201 }),
    ]);
    renderWithClient(<CreateBoard token="token" />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Id'), 'sprint');
    await user.type(screen.getByLabelText('Name'), 'Sprint');
    await user.click(screen.getByLabelText('Lower is better (e.g. race times)'));
    await user.type(screen.getByLabelText('Lowest score allowed'), '1');
    await user.type(screen.getByLabelText('Highest score allowed'), '600000');
    await user.selectOptions(screen.getByLabelText('Reset'), 'cron');
    await user.type(screen.getByLabelText('Cron expression'), '61 * * * *');
    await user.click(screen.getByLabelText('Authoritative: scores from trusted servers only'));
    await user.click(screen.getByRole('button', { name: 'Create board' }));

    const cron = screen.getByLabelText('Cron expression');
    await waitFor(() => expect(cron.getAttribute('aria-invalid')).toBe('true'));
    expect(description(cron)).toContain('reset has 61 in its minute field, which takes 0 to 59');
    expect(document.activeElement).toBe(cron);

    await user.clear(cron);
    await user.type(cron, '*/5 * * * *');
    await user.click(screen.getByRole('button', { name: 'Create board' }));
    expect(await screen.findByText('Created the board “Sprint” (sprint).')).toBeTruthy();
    expect(calls[1]!.body).toEqual({
      id: 'sprint',
      name: 'Sprint',
      sort: 'asc',
      reset: '*/5 * * * *',
      authoritative: true,
      score_min: 1,
      score_max: 600000,
      max_submissions_per_minute: 0,
      timezone: 'UTC',
    });
    // The form starts blank again for the next board.
    expect((screen.getByLabelText('Id') as HTMLInputElement).value).toBe('');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('offers the ranking, saying what the chosen one means, and sends it', async () => {
    const calls = fakeServer([
      () =>
        Response.json({ ...board, id: 'coins', name: 'Coins', ranking: 'sum' }, { status: 201 }),
    ]);
    renderWithClient(<CreateBoard token="token" />);
    const user = userEvent.setup();
    const ranking = screen.getByLabelText('Ranking') as HTMLSelectElement;
    expect(ranking.value).toBe('best');
    expect([...ranking.options].map((option) => option.textContent)).toEqual([
      'Best score',
      'Latest score',
      'Total',
      'Most games',
    ]);
    expect(description(ranking)).toBe(
      'Each player stands by their best score: the highest, or the lowest where lower is better.',
    );
    await user.type(screen.getByLabelText('Id'), 'coins');
    await user.type(screen.getByLabelText('Name'), 'Coins');
    await user.selectOptions(ranking, 'sum');
    expect(description(ranking)).toBe(
      'Each player stands by the sum of their scores in the period (points, coins, kills).',
    );
    await user.click(screen.getByRole('button', { name: 'Create board' }));
    expect(await screen.findByText('Created the board “Coins” (coins).')).toBeTruthy();
    expect(calls[0]!.body).toMatchObject({ id: 'coins', ranking: 'sum' });
  });

  it('shows a taken id next to the id', async () => {
    fakeServer([
      () =>
        Response.json(
          { statusCode: 409, error: 'Conflict', message: 'A board with id race already exists' },
          { status: 409 },
        ),
    ]);
    renderWithClient(<CreateBoard token="token" />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Id'), 'race');
    await user.type(screen.getByLabelText('Name'), 'Race');
    await user.click(screen.getByRole('button', { name: 'Create board' }));
    await waitFor(() =>
      expect(description(screen.getByLabelText('Id'))).toContain(
        'A board with id race already exists',
      ),
    );
  });

  it('shows a refusal that names no field of the form, and a lost answer, as a whole', async () => {
    fakeServer([
      () =>
        Response.json(
          { statusCode: 403, error: 'Forbidden', message: 'This route is for admins only' },
          { status: 403 },
        ),
    ]);
    renderWithClient(<CreateBoard token="token" />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Create board' }));
    expect((await screen.findByRole('alert')).textContent).toBe('This route is for admins only');
    await user.click(screen.getByRole('button', { name: 'Create board' }));
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe('No answer from the server. Try again.'),
    );
  });
});

describe('editing a board', () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it('sends only the fields that changed, and the server’s errors next to them', async () => {
    const calls = fakeServer([
      refused([{ field: 'name', message: 'name must be 1 to 64 printable characters' }]),
      () => Response.json({ ...board, name: 'Race (weekly)', archived: true }),
    ]);
    renderWithClient(<EditBoard token="token" boards={[board]} />);
    const user = userEvent.setup();
    expect((screen.getByLabelText('Cron expression') as HTMLInputElement).value).toBe('0 6 * * 1');
    await user.clear(screen.getByLabelText('Name'));
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    const name = screen.getByLabelText('Name');
    await waitFor(() => expect(name.getAttribute('aria-invalid')).toBe('true'));
    expect(description(name)).toContain('name must be 1 to 64 printable characters');
    expect(calls[0]).toEqual({
      method: 'PATCH',
      url: '/api/admin/boards/race',
      body: { name: '' },
    });

    await user.type(name, 'Race (weekly)');
    await user.selectOptions(screen.getByLabelText('Reset'), 'weekly');
    await user.click(screen.getByLabelText('Archived: hidden, and closed to new scores'));
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Saved the board “Race (weekly)”, now archived.')).toBeTruthy();
    expect(calls[1]!.body).toEqual({ name: 'Race (weekly)', reset: 'weekly', archived: true });
  });

  it('does not call the server when nothing changed', async () => {
    const calls = fakeServer([]);
    renderWithClient(<EditBoard token="token" boards={[board]} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Nothing to save: no field changed.')).toBeTruthy();
    expect(calls).toEqual([]);
  });

  it('changes the ranking of a board without scores; once the server says it has some, shows why and keeps it', async () => {
    const calls = fakeServer([
      () =>
        Response.json(
          { statusCode: 409, error: 'Conflict', message: 'Board already has scores' },
          { status: 409 },
        ),
    ]);
    renderWithClient(<EditBoard token="token" boards={[board]} />);
    const user = userEvent.setup();
    const ranking = screen.getByLabelText('Ranking') as HTMLSelectElement;
    expect(ranking.disabled).toBe(false);
    await user.selectOptions(ranking, 'count');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(calls[0]).toEqual({
      method: 'PATCH',
      url: '/api/admin/boards/race',
      body: { ranking: 'count' },
    });

    await waitFor(() => expect(ranking.disabled).toBe(true));
    expect(ranking.value).toBe('best');
    expect(ranking.getAttribute('aria-invalid')).toBe('true');
    expect(description(ranking)).toBe(
      'Each player stands by their best score: the highest, or the lowest where lower is better. ' +
        'It cannot change: the board already has scores. Board already has scores',
    );
    // The ranking kept, nothing else changed: nothing to send.
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Nothing to save: no field changed.')).toBeTruthy();
    expect(calls).toHaveLength(1);
  });

  it('does not offer to change the ranking of a board that has scores, nor of global', async () => {
    const summed = makeBoard({ ...board, ranking: 'sum' });
    fakeServer([], { players: 3 });
    renderWithClient(<EditBoard token="token" boards={[summed, makeBoard()]} />);
    const user = userEvent.setup();
    const ranking = screen.getByLabelText('Ranking') as HTMLSelectElement;
    await waitFor(() => expect(ranking.disabled).toBe(true));
    expect(ranking.value).toBe('sum');
    expect(description(ranking)).toContain('It cannot change: the board already has scores.');

    await user.selectOptions(screen.getByLabelText('Board to edit'), 'global');
    const globalRanking = screen.getByLabelText('Ranking') as HTMLSelectElement;
    expect(globalRanking.disabled).toBe(true);
    expect(globalRanking.value).toBe('best');
    expect(description(globalRanking)).toContain(
      'The global board always ranks by the best score.',
    );
  });
});
