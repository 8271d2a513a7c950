import { describe, it } from 'vitest';
import { PASSWORD, signUpInPage } from './accounts';
import { browserSuite } from './browser-suite';

/** Two tabs of one browser: they share its storage, as a user's tabs do. */
const { server, page } = browserSuite({ pages: ['first', 'second'], sameBrowser: true });

describe('the session across the tabs of one browser', () => {
  it('logs every tab out when one logs out, and every tab in as the user who logs in', async () => {
    const first = page('first');
    const second = page('second');
    const me = await signUpInPage(first, server().baseUrl, 'Tab Player');
    await second.goto(server().baseUrl);
    await second.getByText('Tab Player', { exact: true }).waitFor();

    await first.getByRole('button', { name: 'Log out' }).click();
    await first.getByRole('form', { name: 'Log in' }).waitFor();
    await second.getByText('You were logged out in another tab.').waitFor();
    await second.getByRole('form', { name: 'Log in' }).waitFor();

    // Logging in again in the second tab brings the first back to the dashboard, as that user.
    await signUpInPage(second, server().baseUrl, 'Other Player');
    await first.getByText('Other Player', { exact: true }).waitFor();
    await first.getByRole('heading', { name: 'Submit a score' }).waitFor();

    // And logging out of that one there, then in as the first user here, is followed there too.
    await first.getByRole('button', { name: 'Log out' }).click();
    await second.getByText('You were logged out in another tab.').waitFor();
    await first.getByLabel('Email').fill(me.email);
    await first.getByLabel('Password').fill(PASSWORD);
    await first.getByRole('button', { name: 'Log in' }).last().click();
    await second.getByText('Tab Player', { exact: true }).waitFor();
  });
});
