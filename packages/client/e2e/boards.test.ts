import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { callApi, signUpByApi, signUpInPage, type Account } from './accounts';
import { browserSuite } from './browser-suite';

/** A server of this file's own, with an asc board (race times) besides global. */
const { server, page, screenshot } = browserSuite();
let admin: Account;

beforeAll(async () => {
  admin = await signUpByApi(server().baseUrl, 'Admin');
  await server().makeAdmin(admin.email);
  const created = await callApi(server().baseUrl, admin.token, 'POST', '/api/admin/boards', {
    id: 'race',
    name: 'Race',
    sort: 'asc',
    score_min: 1,
    score_max: 600_000,
    reset: 'weekly',
    timezone: 'Europe/Paris',
  });
  expect(created.status).toBe(201);
});

async function scoresByBoard(email: string): Promise<Record<string, number>> {
  const rows = await server().sql<{ board: string; n: string }>(
    `SELECT s.board_id AS board, count(*) AS n FROM scores s JOIN users u ON u.id = s.user_id
      WHERE u.email = $1 GROUP BY s.board_id`,
    [email],
  );
  return Object.fromEntries(rows.map((row) => [row.board, Number(row.n)]));
}

async function submitInUi(value: number): Promise<void> {
  await page().getByLabel('Score', { exact: true }).fill(String(value));
  await page().getByRole('button', { name: 'Submit' }).click();
  await page().getByText(`Submitted: ${value}.`).waitFor();
}

const leaderboard = () => page().getByRole('region', { name: 'Leaderboard' });
/** The leaderboard's rows as the page shows them: rank, player, best. */
const leaderboardRows = () =>
  leaderboard()
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)),
    );

describe('boards in a real browser', () => {
  it('shows a new board’s missing past as empty states: Previous disabled, no error, no failed request', async () => {
    await signUpInPage(page(), server().baseUrl, `New ${randomUUID().slice(0, 4)}`);
    const failed: string[] = [];
    page().on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    await page().getByLabel('Board', { exact: true }).selectOption('race');
    const periods = page().getByRole('region', { name: 'Periods' });
    await periods.getByText('No past period yet: this is the first.').waitFor();
    const previous = periods.getByRole('button', { name: 'Previous' });
    expect(await previous.isDisabled()).toBe(true);
    expect(await previous.getAttribute('title')).toBe('No previous period yet');
    await leaderboard().getByText('No scores in this period yet.').waitFor();
    await page()
      .getByRole('region', { name: 'My recent scores' })
      .getByText('No scores yet.')
      .waitFor();
    await page()
      .getByRole('region', { name: 'My boards', exact: true })
      .getByText('No scores on any board yet this period.')
      .waitFor();
    await page()
      .getByRole('region', { name: 'My final placements' })
      .getByText('None yet: a placement shows here once a period you played ends.')
      .waitFor();
    expect(await page().getByRole('alert').count()).toBe(0);
    expect(await page().getByRole('button', { name: 'Retry' }).count()).toBe(0);
    // No request of the page was refused (a 404 for a period that does not exist, say); the
    // suite fails the test on any console error besides.
    expect(failed).toEqual([]);
  });

  it('submits to the board picked, and shows that board’s leaderboard, lowest first on an asc board', async () => {
    const me = await signUpInPage(page(), server().baseUrl, `Racer ${randomUUID().slice(0, 4)}`);
    const myBoards = page().getByRole('region', { name: 'My boards', exact: true });
    /** My standing on a board, as its row in "My boards" shows it: rank, standing, count, average. */
    const standing = (board: string) =>
      myBoards
        .getByRole('row')
        .filter({ has: page().getByRole('button', { name: board }) })
        .locator('td')
        .allTextContents();
    await page().getByText('Live', { exact: true }).waitFor();
    await page().getByLabel('Board', { exact: true }).selectOption('race');
    await page().getByText('To Race, current period. Lower is better.').waitFor();
    await page().getByText('A whole number from 1 to 600000.').waitFor();
    await leaderboard().getByText('No scores in this period yet.').waitFor();
    await page().getByRole('timer', { name: 'Time until the next reset' }).waitFor();

    await submitInUi(31_000);
    await submitInUi(29_500);
    await expect.poll(() => page().getByTestId('total-scores').textContent()).toBe('2');
    // On an asc board my best is my lowest score.
    expect(await page().getByTestId('high-score').textContent()).toBe('29,500');
    await page().getByText('Best (lowest)', { exact: true }).first().waitFor();

    // Another racer, slower, shows up live below me; a faster one above me.
    const slower = await signUpByApi(server().baseUrl, 'Slower');
    const faster = await signUpByApi(server().baseUrl, 'Faster');
    for (const [racer, value] of [
      [slower, 30_000],
      [faster, 28_000],
    ] as const) {
      const sent = await callApi(server().baseUrl, racer.token, 'POST', '/api/scores', {
        value,
        board: 'race',
        idempotency_key: randomUUID(),
      });
      expect(sent.status).toBe(201);
    }
    await expect.poll(leaderboardRows, { timeout: 5000 }).toEqual([
      ['1', 'Faster', '28,000'],
      ['2', `${me.name} (you)`, '29,500'],
      ['3', 'Slower', '30,000'],
    ]);
    expect(await leaderboard().getByRole('columnheader').allTextContents()).toEqual([
      'Rank',
      'Player',
      'Best (lowest)',
    ]);
    await leaderboard().getByText('3 players. You are #2.').waitFor();
    // Pushed down by another player's score, not by one of mine.
    await expect.poll(() => standing('Race')).toEqual(['#2', '29,500 (lowest)', '2', '30,250']);
    await screenshot('boards-race');

    // Back on global: none of that is there, and a score goes to global.
    await page().getByLabel('Board', { exact: true }).selectOption('global');
    await page().getByText('To Global, current period. Higher is better.').waitFor();
    await leaderboard().getByText('No scores in this period yet.').waitFor();
    await page().getByText('Never resets.').waitFor();
    expect(await page().getByTestId('total-scores').textContent()).toBe('0');
    await submitInUi(64);
    await expect.poll(leaderboardRows).toEqual([['1', `${me.name} (you)`, '64']]);
    expect(await scoresByBoard(me.email)).toEqual({ race: 2, global: 1 });

    // My standing on each board, from either board.
    await expect.poll(() => standing('Global')).toEqual(['#1', '64', '1', '64']);
    expect(await standing('Race')).toEqual(['#2', '29,500 (lowest)', '2', '30,250']);
    // A board's name there picks it.
    await myBoards.getByRole('button', { name: 'Race' }).click();
    await page().getByText('To Race, current period. Lower is better.').waitFor();
    await leaderboard().getByText('3 players. You are #2.').waitFor();
  });

  it('follows the picked board live: another player’s score there shows without a reload', async () => {
    const streams: string[] = [];
    page().on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/stream') streams.push(request.url());
    });
    await signUpInPage(page(), server().baseUrl);
    await page().getByLabel('Board', { exact: true }).selectOption('race');
    await page().getByText('To Race, current period. Lower is better.').waitFor();
    await page().getByText('Live', { exact: true }).waitFor();
    const playersBefore = await leaderboard()
      .getByText(/players?\./)
      .textContent();

    expect(new URL(streams.at(-1)!).searchParams.get('boards')).toBe('race');

    // A score on global does not touch the race board's leaderboard; one on race does, live.
    const other = await signUpByApi(server().baseUrl, 'Newcomer');
    for (const [board, value] of [
      ['global', 50],
      ['race', 45_000],
    ] as const) {
      const sent = await callApi(server().baseUrl, other.token, 'POST', '/api/scores', {
        value,
        board,
        idempotency_key: randomUUID(),
      });
      expect(sent.status).toBe(201);
    }
    // Sooner than the 5 s polling that stands in for a stream that is down.
    await leaderboard().getByRole('cell', { name: 'Newcomer' }).waitFor({ timeout: 4000 });
    const playersAfter = await leaderboard()
      .getByText(/players?\./)
      .textContent();
    expect(Number.parseInt(playersAfter!)).toBe(Number.parseInt(playersBefore!) + 1);
  });
});
