import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { browserSuite } from './browser-suite';

const { server, page, expectConsole, screenshot } = browserSuite();

async function signUp(
  name = `Player ${randomUUID().slice(0, 6)}`,
): Promise<{ email: string; name: string }> {
  const email = `e2e-${randomUUID()}@example.com`;
  await page().goto(server().baseUrl);
  await page().getByRole('button', { name: 'Sign up' }).click();
  await page().getByLabel('Email').fill(email);
  await page().getByLabel('Password').fill('correct horse battery');
  await page().getByLabel('Display name (optional, shown on the leaderboard)').fill(name);
  await page().getByRole('button', { name: 'Create account' }).click();
  await page().getByRole('heading', { name: 'Submit a score' }).waitFor();
  return { email, name };
}

const token = () =>
  page().evaluate(
    () => (JSON.parse(localStorage.getItem('scoreboard.session')!) as { token: string }).token,
  );

async function scoresOf(email: string): Promise<number> {
  const [row] = await server().sql<{ n: string }>(
    'SELECT count(*) AS n FROM scores s JOIN users u ON u.id = s.user_id WHERE u.email = $1',
    [email],
  );
  return Number(row!.n);
}

async function submitInUi(value: number): Promise<void> {
  await page().getByLabel('Score', { exact: true }).fill(String(value));
  await page().getByRole('button', { name: 'Submit' }).click();
}

describe('the dashboard in a real browser', () => {
  it('signs up, submits, and shows stats and rank changing live without a reload', async () => {
    const { email, name } = await signUp();
    await page().getByText('Live', { exact: true }).waitFor();
    await submitInUi(64);
    await page().getByText('Submitted: 64.').waitFor();
    await expect.poll(() => page().getByTestId('total-scores').textContent()).toBe('1');
    expect(await page().getByTestId('high-score').textContent()).toBe('64');

    // A score arriving from elsewhere (another tab, another device) shows up through the stream.
    const response = await fetch(`${server().baseUrl}/api/scores`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ value: 90, idempotency_key: randomUUID() }),
    });
    expect(response.status).toBe(201);
    await expect
      .poll(() => page().getByTestId('total-scores').textContent(), { timeout: 4000 })
      .toBe('2');
    expect(await page().getByTestId('average').textContent()).toBe('77');
    expect(await page().getByTestId('high-score').textContent()).toBe('90');

    const myRow = page().locator('tr.me');
    await myRow.waitFor();
    expect(await myRow.textContent()).toContain(name);
    expect(await scoresOf(email)).toBe(2);
    await screenshot('dashboard');
  });

  it('counts a submission once when its first response is lost and the user retries', async () => {
    const { email } = await signUp();
    let first = true;
    await page().route('**/api/scores', async (route) => {
      if (!first) return route.continue();
      first = false;
      await route.fetch(); // the server stores the score and answers...
      await route.abort('failed'); // ...but the answer never reaches the page()
    });
    await submitInUi(55);
    await page().getByText('No answer from the server').waitFor();
    await page().getByRole('button', { name: 'Submit' }).click();
    await page().getByText('Already submitted: 55 (counted once).').waitFor();
    expect(await scoresOf(email)).toBe(1);
    expectConsole(/Failed to load resource: net::ERR_FAILED/);
  });

  it('counts a double-click once', async () => {
    const { email } = await signUp();
    await page().getByLabel('Score', { exact: true }).fill('12');
    await page().getByRole('button', { name: 'Submit' }).dblclick();
    await page().getByText('Submitted: 12.').waitFor();
    await page().waitForTimeout(300);
    expect(await scoresOf(email)).toBe(1);
  });

  it('keeps the session across a reload, and sends an expired one back to the login page', async () => {
    await signUp();
    await page().reload();
    await page().getByRole('heading', { name: 'Submit a score' }).waitFor();
    await page().evaluate(() => {
      const session = JSON.parse(localStorage.getItem('scoreboard.session')!) as {
        expiresAt: number;
      };
      session.expiresAt = Date.now() - 1000;
      localStorage.setItem('scoreboard.session', JSON.stringify(session));
    });
    await page().reload();
    await page().getByText('Your session has expired. Please log in again.').waitFor();
  });

  it('sends a refused token back to the login page with a message', async () => {
    await signUp();
    await page().evaluate(() => {
      const session = JSON.parse(localStorage.getItem('scoreboard.session')!) as { token: string };
      session.token = `${session.token.slice(0, -4)}AAAA`;
      localStorage.setItem('scoreboard.session', JSON.stringify(session));
    });
    await page().reload();
    await page()
      .getByText('Your session has expired or was refused. Please log in again.')
      .waitFor();
    await page().getByRole('button', { name: 'Log in' }).first().waitFor();
    expectConsole(/status of 401/);
  });

  it('shows the server’s message for wrong credentials', async () => {
    const { email } = await signUp();
    await page().getByRole('button', { name: 'Log out' }).click();
    await page().getByLabel('Email').fill(email);
    await page().getByLabel('Password').fill('wrong password');
    await page().getByRole('button', { name: 'Log in' }).last().click();
    await page().getByRole('alert').getByText('Invalid credentials').waitFor();
    expectConsole(/status of 401/);
  });

  it('fits a phone-width screen and can be used from the keyboard', async () => {
    await page().setViewportSize({ width: 375, height: 800 });
    await signUp();
    const overflow = await page().evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page().getByText('A whole number from 0 to 100.').waitFor();
    await page().getByLabel('Score', { exact: true }).focus();
    await page().keyboard.type('33');
    await page().keyboard.press('Enter');
    await page().getByText('Submitted: 33.').waitFor();
    await screenshot('dashboard-phone');
  });
});
