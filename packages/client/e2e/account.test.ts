import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { PASSWORD, signUpInPage } from './accounts';
import { browserSuite } from './browser-suite';

/** A server of this file's own: its test deletes an account and signs up with it again. */
const { server, page, expectConsole, screenshot } = browserSuite();

describe('my account in a real browser', () => {
  it('exports my data as a file, and deletes the account (not with a wrong password) so that its email can sign up again', async () => {
    const me = await signUpInPage(page(), server().baseUrl);
    await page().getByLabel('Score', { exact: true }).fill('64');
    await page().getByRole('button', { name: 'Submit' }).click();
    await page().getByText('Submitted: 64.').waitFor();

    await page().getByRole('link', { name: 'My account' }).click();
    const details = page().getByRole('region', { name: 'Account details' });
    await details.getByText(me.email, { exact: true }).waitFor();
    await details.getByText(me.name, { exact: true }).waitFor();

    await page().getByRole('button', { name: 'Export my data' }).click();
    const link = page().getByRole('link', { name: 'Download scoreboard-export.json' });
    const [download] = await Promise.all([page().waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('scoreboard-export.json');
    const exported = JSON.parse(await readFile(await download.path(), 'utf8')) as {
      account: { email: string };
      scores: unknown[];
    };
    expect(exported.account.email).toBe(me.email);
    expect(exported.scores).toHaveLength(1);

    const deletion = page().getByRole('region', { name: 'Delete my account' });
    await deletion.getByLabel('Password').fill('not my password');
    await deletion.getByLabel(/I understand/).check();
    await deletion.getByRole('button', { name: 'Delete my account' }).click();
    await deletion.getByRole('alert').getByText('Invalid password', { exact: true }).waitFor();
    expectConsole(/status of 403/);
    // Still signed in, still there.
    await page().getByRole('heading', { name: 'My account', exact: true }).waitFor();
    expect(await page().evaluate(() => localStorage.getItem('scoreboard.session'))).not.toBeNull();
    await screenshot('account');

    await deletion.getByLabel('Password').fill(PASSWORD);
    await deletion.getByRole('button', { name: 'Delete my account' }).click();
    await page().getByText('Your account was deleted.').waitFor();
    await page().getByRole('form', { name: 'Log in' }).waitFor();
    expect(await page().evaluate(() => localStorage.getItem('scoreboard.session'))).toBeNull();
    expect(new URL(page().url()).hash).toBe('#/');

    // The email is free again, and the new account starts with nothing.
    await page().getByRole('button', { name: 'Sign up' }).click();
    await page().getByLabel('Email').fill(me.email);
    await page().getByLabel('Password').fill(PASSWORD);
    await page().getByRole('button', { name: 'Create account' }).click();
    await page().getByRole('heading', { name: 'Submit a score' }).waitFor();
    await expect.poll(() => page().getByTestId('total-scores').textContent()).toBe('0');
  });
});
