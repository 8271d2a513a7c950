import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExampleServer } from '../examples/serve.mjs';
import { startServer } from '../scripts/server.mjs';

/**
 * examples/browser.html in a real Chromium (Debian's, or CHROMIUM_PATH), loading the built SDK
 * from examples/serve.mjs in front of the real server: the page a README reader runs.
 */
const { CHROMIUM_PATH = '/usr/bin/chromium' } = process.env;
let server: Awaited<ReturnType<typeof startServer>>;
let example: Awaited<ReturnType<typeof startExampleServer>>;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  example = await startExampleServer(server.baseUrl);
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});
afterAll(async () => {
  await browser?.close();
  await example?.close();
  await server?.stop();
});

const queueLog = (page: Page) => page.getByRole('list', { name: 'Queue events' }).textContent();

describe('examples/browser.html', () => {
  it('signs up, submits through the queue (also offline, sent once back online), follows the live stats and keeps the session over a reload', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    try {
      await page.goto(`${example.url}/`);
      await page.getByRole('button', { name: 'Sign up a new player' }).click();
      const player = page.getByText(/^Playing as .+\(#\d+\)/);
      await player.waitFor();
      const playing = await player.textContent();
      const userId = /\(#(\d+)\)/.exec(playing ?? '')![1]!;

      await page.getByLabel('Score', { exact: true }).fill('42');
      await page.getByRole('button', { name: 'Submit' }).click();
      await expect.poll(() => queueLog(page)).toContain('accepted 42');
      await page.getByText('1 scores, best 42, 0 pending').waitFor();
      await expect
        .poll(() => page.getByRole('list', { name: 'Top 5' }).textContent())
        .toContain(': 42');

      // Offline, the submission waits in localStorage; back online, the queue sends it.
      await context.setOffline(true);
      await page.getByLabel('Score', { exact: true }).fill('7');
      await page.getByRole('button', { name: 'Submit' }).click();
      await expect.poll(() => queueLog(page)).toContain('queued 7');
      const waiting = await page.evaluate(
        (id) => JSON.parse(localStorage.getItem(`scoreboard-sdk:queue:player-${id}`) ?? '[]'),
        userId,
      );
      expect(waiting.map((entry: { value: number }) => entry.value)).toEqual([7]);
      await context.setOffline(false);
      await expect.poll(() => queueLog(page), { timeout: 30_000 }).toContain('accepted 7');
      await page.getByText('2 scores, best 42, 0 pending').waitFor();

      await page.reload();
      await page.getByText(playing!).waitFor();
      await page.getByText('2 scores, best 42, 0 pending').waitFor();
      const stored = await server.sql('SELECT value FROM scores WHERE user_id = $1 ORDER BY id', [
        userId,
      ]);
      expect(stored.map((row: { value: number }) => row.value)).toEqual([42, 7]);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
