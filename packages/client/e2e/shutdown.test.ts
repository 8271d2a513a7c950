import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { browserSuite } from './browser-suite';

/** A server of this file's own: the test stops it. */
const { server, page, expectConsole } = browserSuite();

describe('stopping the server with the dashboard open', () => {
  it('exits within 5 s of Ctrl-C although the page keeps reconnecting its live stream', async () => {
    await page().goto(server().baseUrl);
    await page().getByRole('button', { name: 'Sign up' }).click();
    await page().getByLabel('Email').fill(`e2e-${randomUUID()}@example.com`);
    await page().getByLabel('Password').fill('correct horse battery');
    await page().getByRole('button', { name: 'Create account' }).click();
    await page().getByText('Live', { exact: true }).waitFor();

    const exitCode = server().interrupt();
    // With the server gone, the browser logs each reconnection it refuses; one that lands while
    // the server drains is answered 503 (shutting down), which the browser logs too.
    expectConsole(/net::ERR_CONNECTION_REFUSED/);
    expectConsole(/the server responded with a status of 503/);
    const deadline = new Promise<'still running'>((resolve) =>
      setTimeout(() => resolve('still running'), 5000),
    );
    expect(await Promise.race([exitCode, deadline])).toBe(0);
    // The page saw the server go: it says so instead of claiming to be live (Offline once its
    // reconnection attempts have kept failing, which a slow exit can leave time for).
    await page()
      .getByRole('status')
      .getByText(/^(Reconnecting…|Offline)$/)
      .waitFor();
  });
});
