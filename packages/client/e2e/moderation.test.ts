import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PASSWORD, signUpInPage, type Account } from './accounts';
import { browserSuite } from './browser-suite';

/** A server of this file's own: its tests make admins, and ban and moderate players. */
const { server, page, expectConsole, screenshot } = browserSuite({ pages: ['admin', 'player'] });
/** The admin's page and the player's, side by side. */
const adminPage = () => page('admin');
const playerPage = () => page('player');

/** An admin at the keyboard: signed up in the page, made an admin through the CLI. */
async function signUpAdmin(): Promise<Account> {
  const admin = await signUpInPage(adminPage(), server().baseUrl, 'Moderator');
  await server().makeAdmin(admin.email);
  await adminPage().reload();
  await adminPage().getByRole('navigation', { name: 'Pages' }).waitFor();
  return admin;
}

async function submit(page: Page, value: number): Promise<void> {
  await page.getByLabel('Score', { exact: true }).fill(String(value));
  await page.getByRole('button', { name: 'Submit' }).click();
  await page.getByText(`Submitted: ${value}.`).waitFor();
}

async function openSection(section: 'Players' | 'Audit log'): Promise<void> {
  await adminPage()
    .getByRole('navigation', { name: 'Pages' })
    .getByRole('link', { name: 'Admin' })
    .click();
  await adminPage()
    .getByRole('navigation', { name: 'Admin sections' })
    .getByRole('link', { name: section })
    .click();
}

/** Finds the player in the console by their email; their row in the list. */
async function findPlayer(email: string) {
  await openSection('Players');
  await adminPage().getByLabel('Search players').fill(email);
  await adminPage().getByLabel('Search players').press('Enter');
  const row = adminPage()
    .getByRole('region', { name: 'Players' })
    .getByRole('row')
    .filter({ has: adminPage().getByRole('button', { name: email, exact: true }) });
  await row.waitFor();
  return row;
}

/** Waits for the audit log to show an entry of the action (in its words), with the reason given. */
async function auditEntry(action: string, reason: string): Promise<void> {
  await openSection('Audit log');
  await adminPage()
    .getByRole('region', { name: 'Audit log' })
    .getByRole('row')
    .filter({ hasText: action })
    .filter({ hasText: reason })
    .waitFor();
}

/**
 * The player's best on the global leaderboard as the admin's dashboard shows it when loaded
 * afresh ('' when they are not on it): bans and removals reach the leaderboard in the server's
 * own time, so callers poll this.
 */
async function leaderboardScoreOf(name: string): Promise<string> {
  await adminPage().goto(`${server().baseUrl}/`);
  const leaderboard = adminPage().getByRole('region', { name: 'Leaderboard' });
  await leaderboard.getByText(/\d+ players?\./).waitFor();
  const rows = leaderboard.getByRole('row').filter({ hasText: name });
  if ((await rows.count()) === 0) return '';
  return (await rows.first().getByRole('cell').nth(2).textContent()) ?? '';
}

describe('moderation in a real browser', () => {
  it('bans a player: their open dashboard ends, they cannot log in, they leave the leaderboard; unban brings them back', async () => {
    await signUpAdmin();
    const player = await signUpInPage(playerPage(), server().baseUrl);
    await playerPage().getByText('Live', { exact: true }).waitFor();
    await submit(playerPage(), 90);
    await expect.poll(() => leaderboardScoreOf(player.name), { timeout: 15_000 }).toBe('90');

    const row = await findPlayer(player.email);
    expect(await row.getByRole('cell').nth(3).textContent()).toBe('Active');
    await row.getByRole('button', { name: 'Ban' }).click();
    const form = adminPage().getByRole('form', { name: `Ban ${player.email}` });
    // Not without a reason.
    expect(await form.getByRole('button', { name: 'Ban player' }).isDisabled()).toBe(true);
    await form.getByLabel('Reason').fill('Impossible scores from a modified client');
    await form.getByRole('button', { name: 'Ban player' }).click();
    await adminPage().getByText(`Banned ${player.email}.`).waitFor();
    await expect.poll(() => row.getByRole('cell').nth(3).textContent()).toMatch(/^Banned /);

    // The ban ends the player's live stream; reconnecting is refused: the page ends the session.
    await playerPage().getByText('Your account is suspended.').waitFor({ timeout: 15_000 });
    expect(
      await playerPage().evaluate(() => localStorage.getItem('scoreboard.session')),
    ).toBeNull();
    const login = playerPage().getByRole('form', { name: 'Log in' });
    await login.getByLabel('Email').fill(player.email);
    await login.getByLabel('Password').fill(PASSWORD);
    await login.getByRole('button', { name: 'Log in' }).click();
    await login.getByRole('alert').getByText('Account suspended', { exact: true }).waitFor();
    expectConsole(/status of 403/, 'player');

    await expect.poll(() => leaderboardScoreOf(player.name), { timeout: 15_000 }).toBe('');

    await auditEntry('banned ', 'Impossible scores from a modified client');

    const unbanned = await findPlayer(player.email);
    await unbanned.getByRole('button', { name: 'Unban' }).click();
    await adminPage().getByText(`Unbanned ${player.email}.`).waitFor();
    await expect.poll(() => unbanned.getByRole('cell').nth(3).textContent()).toBe('Active');
    await expect.poll(() => leaderboardScoreOf(player.name), { timeout: 15_000 }).toBe('90');

    await login.getByRole('button', { name: 'Log in' }).click();
    await playerPage().getByRole('heading', { name: 'Submit a score' }).waitFor();
  });

  it('removes a player’s best score for a reason: the leaderboard shows their next best, their scores show it removed', async () => {
    await signUpAdmin();
    const player = await signUpInPage(playerPage(), server().baseUrl);
    await submit(playerPage(), 30);
    await submit(playerPage(), 80);
    await expect.poll(() => leaderboardScoreOf(player.name), { timeout: 15_000 }).toBe('80');

    await (
      await findPlayer(player.email)
    )
      .getByRole('button', { name: player.email, exact: true })
      .click();
    const scores = adminPage().getByRole('region', {
      name: `Scores of ${player.name} (${player.email})`,
    });
    const best = scores.getByRole('row').filter({
      has: adminPage().getByRole('cell', { name: '80', exact: true }),
    });
    await best.waitFor();
    // Newest first.
    expect(await scores.getByRole('row').nth(1).textContent()).toContain('80');
    await best.getByRole('button', { name: 'Remove' }).click();
    const form = adminPage().getByRole('form', { name: 'Remove the score 80 on global' });
    await form.getByLabel('Reason').fill('Impossible time');
    await form.getByRole('button', { name: 'Remove score' }).click();
    await scores.getByText('Removed the score 80 on global.').waitFor();
    await expect.poll(() => best.getByRole('cell').nth(3).textContent()).toMatch(/^Removed/);
    expect(await best.getByRole('cell').nth(3).textContent()).toContain('Impossible time');
    await screenshot('admin-player-scores', 'admin');

    await auditEntry('removed the score #', 'Impossible time');

    await expect.poll(() => leaderboardScoreOf(player.name), { timeout: 15_000 }).toBe('30');

    // The player's own list, as they open it next.
    await playerPage().reload();
    const recent = playerPage().getByRole('region', { name: 'My recent scores' });
    const removed = recent.getByRole('row').filter({
      has: playerPage().getByRole('cell', { name: '80', exact: true }),
    });
    await expect.poll(() => removed.getByRole('cell').nth(2).textContent()).toBe('Removed');
    expect(
      await recent
        .getByRole('row')
        .filter({ has: playerPage().getByRole('cell', { name: '30', exact: true }) })
        .getByRole('cell')
        .nth(2)
        .textContent(),
    ).toBe('Counted');
  });
});
