import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { callApi, signUpByApi, signUpInPage, type Account } from './accounts';
import { browserSuite } from './browser-suite';

/**
 * Ranking models, score context and display names (SPEC 2c), as a player and an admin see them.
 * A server of this file's own, with a weekly sum board besides global.
 */
const { server, page, expectConsole, screenshot } = browserSuite();
let admin: Account;

beforeAll(async () => {
  admin = await signUpByApi(server().baseUrl, 'Admin');
  await server().makeAdmin(admin.email);
  const created = await callApi(server().baseUrl, admin.token, 'POST', '/api/admin/boards', {
    id: 'coins',
    name: 'Coins',
    ranking: 'sum',
    reset: 'weekly',
    score_min: 0,
    score_max: 1000,
  });
  expect(created.status).toBe(201);
});

const leaderboard = () => page().getByRole('region', { name: 'Leaderboard' });
/** The leaderboard's rows as the page shows them: rank, player, ranked value. */
const leaderboardRows = () =>
  leaderboard()
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)),
    );

async function submitInUi(value: number): Promise<void> {
  await page().getByLabel('Score', { exact: true }).fill(String(value));
  await page().getByRole('button', { name: 'Submit' }).click();
  await page().getByText(`Submitted: ${value}.`).waitFor();
}

async function submitByApi(
  player: Account,
  board: string,
  value: number,
  metadata?: Record<string, unknown>,
): Promise<void> {
  const sent = await callApi(server().baseUrl, player.token, 'POST', '/api/scores', {
    value,
    board,
    idempotency_key: randomUUID(),
    ...(metadata ? { metadata } : {}),
  });
  expect(sent.status).toBe(201);
}

describe('rankings and names in a real browser', () => {
  it('ranks a sum board by each player’s total this week, with my share of the players and my scores’ context', async () => {
    const me = await signUpInPage(page(), server().baseUrl, `Saver ${randomUUID().slice(0, 4)}`);
    // A score the game sent with its context, before the board is opened.
    await submitByApi(me, 'coins', 5, { level: 3, character: 'Ada' });
    await page().getByText('Live', { exact: true }).waitFor();
    await page().getByLabel('Board', { exact: true }).selectOption('coins');
    await page().getByTestId('board-ranking').getByText('Total this week').waitFor();
    await leaderboard().getByTestId('leaderboard-ranking').getByText('Total this week').waitFor();

    await submitInUi(10);
    await submitInUi(20);
    const rival = await signUpByApi(server().baseUrl, 'Rival');
    await submitByApi(rival, 'coins', 30);

    // My total (5 + 10 + 20) above the rival's single 30, whose best is higher.
    await expect.poll(leaderboardRows, { timeout: 10_000 }).toEqual([
      ['1', `${me.name} (you)`, '35'],
      ['2', 'Rival', '30'],
    ]);
    expect(await leaderboard().getByRole('columnheader').allTextContents()).toEqual([
      'Rank',
      'Player',
      'Total',
    ]);
    await leaderboard().getByText('2 players. You are #1. Top 50 %.').waitFor();

    const recent = page().getByRole('region', { name: 'My recent scores' });
    const context = recent.getByRole('cell', { name: 'level: 3, character: Ada' });
    await context.waitFor();
    expect(JSON.parse((await context.getAttribute('title'))!)).toEqual({
      level: 3,
      character: 'Ada',
    });
    await screenshot('ranking-sum');
  });

  it('renames me from my account page: checked beside the field, then shown on the leaderboard', async () => {
    const me = await signUpInPage(page(), server().baseUrl, `Before ${randomUUID().slice(0, 4)}`);
    await submitInUi(64);
    await expect.poll(leaderboardRows).toContainEqual(['1', `${me.name} (you)`, '64']);

    await page().getByRole('link', { name: 'My account' }).click();
    const form = page().getByRole('region', { name: 'Display name' });
    const name = form.getByLabel('Display name', { exact: true });
    await expect.poll(() => name.inputValue()).toBe(me.name);
    // Checked before anything is sent.
    await name.fill('   ');
    await form.getByRole('button', { name: 'Save name' }).click();
    await form.getByText('Enter a display name.').waitFor();
    expect(await name.getAttribute('aria-invalid')).toBe('true');

    const renamed = `After ${randomUUID().slice(0, 4)}`;
    await name.fill(renamed);
    await form.getByRole('button', { name: 'Save name' }).click();
    await form.getByText(`Your display name is now “${renamed}” on every leaderboard.`).waitFor();
    await page()
      .getByRole('region', { name: 'Account details' })
      .getByText(renamed, { exact: true })
      .waitFor();
    expect(await page().locator('.topbar .who').textContent()).toBe(renamed);
    await screenshot('account-rename');

    await page().getByRole('link', { name: 'Scoreboard' }).click();
    await expect.poll(leaderboardRows).toContainEqual(['1', `${renamed} (you)`, '64']);
    // Anyone reading the board sees the new name.
    const board = await callApi(server().baseUrl, null, 'GET', '/api/boards/global/leaderboard');
    expect((board.body as { items: Array<{ display_name: string }> }).items[0]!.display_name).toBe(
      renamed,
    );
    // After a reload too: the session keeps the new name.
    await page().reload();
    await page().getByRole('heading', { name: 'Submit a score' }).waitFor();
    expect(await page().locator('.topbar .who').textContent()).toBe(renamed);
  });

  it('lets an admin choose a board’s ranking, and not change it once the board has scores', async () => {
    const me = await signUpInPage(page(), server().baseUrl);
    await server().makeAdmin(me.email);
    await page().reload();
    await page()
      .getByRole('navigation', { name: 'Pages' })
      .getByRole('link', { name: 'Admin' })
      .click();
    const createForm = page().getByRole('region', { name: 'Create a board' });
    const id = `games-${randomUUID().slice(0, 6)}`;
    await createForm.getByLabel('Id', { exact: true }).fill(id);
    await createForm.getByLabel('Name', { exact: true }).fill('Games');
    await createForm.getByLabel('Ranking').selectOption('count');
    await createForm
      .getByText('Each player stands by how many scores they have in the period')
      .waitFor();
    await createForm.getByRole('button', { name: 'Create board' }).click();
    await createForm.getByText(`Created the board “Games” (${id}).`).waitFor();
    const created = await callApi(server().baseUrl, null, 'GET', `/api/boards/${id}`);
    expect(created.body).toMatchObject({ id, ranking: 'count' });

    // While it has no score the ranking can change; once it has one, it cannot.
    const editForm = page().getByRole('region', { name: 'Edit a board' });
    await editForm.getByLabel('Board to edit').selectOption(id);
    const ranking = editForm.getByLabel('Ranking');
    await expect.poll(() => ranking.isEnabled()).toBe(true);
    await submitByApi(me, id, 7);
    await ranking.selectOption('latest');
    await editForm.getByRole('button', { name: 'Save changes' }).click();
    await editForm.getByText('Board already has scores', { exact: true }).waitFor();
    await expect.poll(() => ranking.isDisabled()).toBe(true);
    expect(await ranking.inputValue()).toBe('count');
    expectConsole(/status of 409/);

    // On the dashboard it reads as a count of games.
    await page().getByRole('link', { name: 'Dashboard' }).click();
    await page().getByLabel('Board', { exact: true }).selectOption(id);
    await leaderboard().getByTestId('leaderboard-ranking').getByText('Most games').waitFor();
    await expect.poll(leaderboardRows).toEqual([['1', `${me.name} (you)`, '1']]);
    expect(await leaderboard().getByRole('columnheader').allTextContents()).toEqual([
      'Rank',
      'Player',
      'Games',
    ]);
  });
});
