import type { Request } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signUpInPage } from './accounts';
import { browserSuite } from './browser-suite';
import { startServer } from './server';

const { server, page, expectConsole } = browserSuite();

/** The POST /api/scores requests the page sends from now on. */
function scoreRequests(): Request[] {
  const sent: Request[] = [];
  page().on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/scores')
      sent.push(request);
  });
  return sent;
}

/** The user's stored scores, with the key each was sent with. */
function storedScores(email: string) {
  return server().sql<{ value: number; idempotency_key: string }>(
    `SELECT s.value, s.idempotency_key FROM scores s JOIN users u ON u.id = s.user_id
     WHERE u.email = $1`,
    [email],
  );
}

/** What the tab keeps of its unconfirmed submissions. */
const keptInTab = () =>
  page().evaluate(() =>
    Object.keys(sessionStorage).filter((key) => key.startsWith('scoreboard.unconfirmed-score')),
  );

describe('the score form’s own validation', () => {
  it('says in the page, next to the field, what it takes, and sends nothing until then', async () => {
    await signUpInPage(page(), server().baseUrl);
    const sent = scoreRequests();
    const score = page().getByLabel('Score', { exact: true });
    const message = page().getByText('Enter a whole number from 0 to 100.');

    for (const typed of ['', '150', '12.5', '-1']) {
      await score.fill(typed);
      await page().getByRole('button', { name: 'Submit' }).click();
      await message.waitFor();
      expect(await score.getAttribute('aria-invalid')).toBe('true');
    }
    const messageId = await message.getAttribute('id');
    expect((await score.getAttribute('aria-describedby'))!.split(' ')).toContain(messageId);
    // Our message, not the browser's bubble: the form does not ask the browser to validate.
    expect(await score.evaluate((input: HTMLInputElement) => input.form!.noValidate)).toBe(true);
    expect(await score.evaluate((input) => input === document.activeElement)).toBe(true);

    await score.fill('100');
    await message.waitFor({ state: 'detached' });
    expect(await score.getAttribute('aria-invalid')).toBeNull();
    expect(sent).toHaveLength(0);
    await page().getByRole('button', { name: 'Submit' }).click();
    await page().getByText('Submitted: 100.').waitFor();
    expect(sent).toHaveLength(1);
  });

  it('says on the login form what is missing, and sends nothing', async () => {
    let sent = 0;
    page().on('request', (request) => {
      if (request.url().includes('/api/auth/')) sent += 1;
    });
    await page().goto(server().baseUrl);
    const form = page().getByRole('form', { name: 'Log in' });
    await form.getByRole('button', { name: 'Log in' }).click();
    await form.getByText('Enter your email address.').waitFor();
    await form.getByText('Enter your password.').waitFor();
    await form.getByLabel('Email').fill('not an email');
    await form.getByText('Enter an email address such as name@example.com.').waitFor();
    expect(await form.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
    expect(sent).toBe(0);
  });
});

describe('the connection badge', () => {
  it('leaves Live once the server is gone: Reconnecting…, then Offline', async () => {
    // A server of this test's own: it stops it.
    const own = await startServer();
    try {
      await signUpInPage(page(), own.baseUrl);
      const badge = page()
        .getByRole('status')
        .filter({ hasText: /^(Live|Reconnecting…|Offline)$/ });
      await page().getByText('Live', { exact: true }).waitFor();

      let panelPollsFailed = 0;
      page().on('requestfailed', (request) => {
        if (new URL(request.url()).pathname === '/api/me/boards') panelPollsFailed += 1;
      });
      expect(await own.interrupt()).toBe(0);
      // With the server gone, the browser logs each request it cannot make.
      expectConsole(/net::ERR_CONNECTION_REFUSED|status of 503/);
      await expect.poll(() => badge.textContent(), { timeout: 5000 }).not.toBe('Live');
      // Three attempts in a row fail within about 1 + 2 s of backoff.
      await expect.poll(() => badge.textContent(), { timeout: 20_000 }).toBe('Offline');
      // One banner says so, not an error in every panel.
      await page().getByRole('alert').filter({ hasText: 'The server is not answering.' }).waitFor();
      // The panels poll every 5 s while the stream is down; a query gives up after its first
      // attempt and three retries (1 + 2 + 4 s), which is when a panel would show its error.
      await expect.poll(() => panelPollsFailed, { timeout: 40_000 }).toBeGreaterThanOrEqual(4);
      const panels = page().getByRole('main');
      expect(await page().getByRole('alert').count()).toBe(1);
      expect(await panels.getByRole('button', { name: 'Retry' }).count()).toBe(0);
    } finally {
      await own.stop();
    }
  });

  it('says Offline while the browser is offline, and Live again once it is back', async () => {
    await signUpInPage(page(), server().baseUrl);
    await page().getByText('Live', { exact: true }).waitFor();
    await page().context().setOffline(true);
    await page().getByText('Offline', { exact: true }).waitFor();
    await page().context().setOffline(false);
    await page().getByText('Live', { exact: true }).waitFor();
  });
});

describe('a panel whose query failed', () => {
  it('shows the error with a Retry button, which fetches it again', async () => {
    let failing = true;
    await page().route('**/api/me/boards', (route) =>
      failing
        ? route.fulfill({
            status: 500,
            json: { statusCode: 500, error: 'Internal Server Error', message: 'Internal error' },
          })
        : route.continue(),
    );
    expectConsole(/status of 500/);
    await signUpInPage(page(), server().baseUrl);
    const panel = page().getByRole('region', { name: 'My boards' });
    // The automatic retries (three, with backoff) come first.
    await panel.getByRole('alert').getByText('Internal error').waitFor({ timeout: 20_000 });

    failing = false;
    await panel.getByRole('button', { name: 'Retry' }).click();
    await panel.getByText('No scores on any board yet this period.').waitFor();
    expect(await panel.getByRole('alert').count()).toBe(0);
    expect(await panel.getByRole('button', { name: 'Retry' }).count()).toBe(0);
  });
});

describe('a submission not confirmed when the page is reloaded', () => {
  it('is sent again after the reload with the same key, and stored once', async () => {
    const { email } = await signUpInPage(page(), server().baseUrl);
    const sent = scoreRequests();
    let blocked: 'abort' | 'hold' | 'open' = 'abort';
    let unblock!: () => void;
    const unblocked = new Promise<void>((resolve) => (unblock = resolve));
    await page().route('**/api/scores', async (route) => {
      if (blocked === 'abort') return route.abort('internetdisconnected');
      if (blocked === 'hold') await unblocked;
      return route.continue();
    });
    expectConsole(/net::ERR_INTERNET_DISCONNECTED/);

    await page().getByLabel('Score', { exact: true }).fill('55');
    await page().getByRole('button', { name: 'Submit' }).click();
    await page().getByText('No answer from the server').waitFor();
    const key = sent[0]!.headers()['idempotency-key']!;
    expect(await keptInTab()).toHaveLength(1);

    blocked = 'hold';
    await page().reload();
    await expect.poll(() => sent.length).toBe(2);
    expect(sent[1]!.headers()['idempotency-key']).toBe(key);
    expect(await page().getByLabel('Score', { exact: true }).inputValue()).toBe('55');

    blocked = 'open';
    unblock();
    await page().getByText('Submitted: 55.').waitFor();
    expect(await storedScores(email)).toEqual([{ value: 55, idempotency_key: key }]);
    expect(await keptInTab()).toEqual([]);

    // Confirmed, it is forgotten (above): the next page has nothing to send again.
    await page().reload();
    await page().getByText('A whole number from 0 to 100.').waitFor();
    await page().getByText('Live', { exact: true }).waitFor();
    expect(await page().getByLabel('Score', { exact: true }).inputValue()).toBe('');
    expect(sent).toHaveLength(2);
  });

  it('is answered as a replay when the server had stored it before the reload', async () => {
    const { email } = await signUpInPage(page(), server().baseUrl);
    let answerLost = true;
    await page().route('**/api/scores', async (route) => {
      if (!answerLost) return route.continue();
      answerLost = false;
      await route.fetch(); // the server stores the score and answers...
      await route.abort('failed'); // ...but the answer never reaches the page
    });
    expectConsole(/net::ERR_FAILED/);
    await page().getByLabel('Score', { exact: true }).fill('77');
    await page().getByRole('button', { name: 'Submit' }).click();
    await page().getByText('No answer from the server').waitFor();

    const replay = page().waitForResponse(
      (response) =>
        response.request().method() === 'POST' &&
        new URL(response.url()).pathname === '/api/scores',
    );
    await page().reload();
    const response = await replay;
    expect(response.status()).toBe(201);
    expect(response.headers()['idempotent-replayed']).toBe('true');
    await page().getByText('Already submitted: 77 (counted once).').waitFor();
    const stored = await storedScores(email);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.idempotency_key).toBe(response.request().headers()['idempotency-key']);
    expect(await keptInTab()).toEqual([]);
  });
});
