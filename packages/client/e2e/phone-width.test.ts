import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { callApi } from './accounts';
import { browserSuite } from './browser-suite';

/** The demo's data, seen on a phone: long names, times in milliseconds, every panel filled. */
const { server, page, screenshot } = browserSuite();

const PHONE = { width: 390, height: 844 };

/**
 * What sticks out past the right edge of the window, or is wider than the box that clips it:
 * each as `tag.class "text"`, so that a failure names the panel and the column.
 */
function overflowing(target: Page): Promise<string[]> {
  return target.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const name = (element: Element) =>
      `${element.tagName.toLowerCase()}${element.className ? `.${String(element.className).split(' ').join('.')}` : ''}` +
      ` "${(element.textContent ?? '').trim().slice(0, 40)}"`;
    const found: string[] = [];
    if (document.documentElement.scrollWidth > width) {
      found.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
    }
    // Visually hidden (a stacked table's headings, kept for screen readers): not on screen.
    const hidden = (element: Element | null): boolean =>
      element !== null &&
      (getComputedStyle(element).clipPath !== 'none' || hidden(element.parentElement));
    for (const element of document.body.querySelectorAll('*')) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || hidden(element)) continue;
      if (box.right > width + 0.5 || box.left < -0.5)
        found.push(`${name(element)} at ${Math.round(box.left)}..${Math.round(box.right)}`);
      const style = getComputedStyle(element);
      if (style.overflowX !== 'visible' && element.scrollWidth > element.clientWidth + 1) {
        found.push(`${name(element)} cut: ${element.scrollWidth} > ${element.clientWidth}`);
      }
    }
    return found;
  });
}

async function logInAsDemoAdmin(): Promise<void> {
  await page().goto(server().baseUrl);
  await page().getByText('npm run scoreboard -- demo').waitFor();
  expect(await overflowing(page()), 'the login page').toEqual([]);
  await page().getByLabel('Email').fill('ada@demo.example');
  await page().getByLabel('Password').fill('scoreboard-demo');
  await page()
    .getByRole('form', { name: 'Log in' })
    .getByRole('button', { name: 'Log in' })
    .click();
  await page().getByRole('heading', { name: 'Submit a score' }).waitFor();
}

describe('the dashboard at phone width (390 × 844)', () => {
  it('cuts off no panel on the dashboard, the leaderboard and the admin pages', async () => {
    await server().demo();
    await page().setViewportSize(PHONE);
    await logInAsDemoAdmin();
    await page().getByText('Live', { exact: true }).waitFor();
    await page().getByRole('cell', { name: /Grace/ }).first().waitFor();
    await screenshot('phone-dashboard');
    expect(await overflowing(page()), 'the dashboard').toEqual([]);

    // A board ranked in milliseconds, lower is better, and its previous (closed) period.
    await page().getByLabel('Board', { exact: true }).selectOption('speedrun');
    await page().getByRole('cell', { name: /Grace/ }).first().waitFor();
    expect(await overflowing(page()), 'the speedrun board').toEqual([]);
    await page().getByRole('button', { name: 'Previous' }).click();
    await page().getByText(/final/i).first().waitFor();
    // Whoever played that week: which players did depends on when the test runs, as the demo's
    // two weeks of scores end now and the week's boundary moves.
    await page().getByRole('region', { name: 'Leaderboard' }).locator('tbody tr').first().waitFor();
    await screenshot('phone-leaderboard-previous');
    expect(await overflowing(page()), 'the previous period').toEqual([]);

    await page().goto(`${server().baseUrl}/#/account`);
    await page().getByRole('heading', { name: 'My account', exact: true }).waitFor();
    expect(await overflowing(page()), 'the account page').toEqual([]);

    // A key in the list too, with its boards, scopes and dates.
    const login = await callApi(server().baseUrl, null, 'POST', '/api/auth/login', {
      email: 'ada@demo.example',
      password: 'scoreboard-demo',
    });
    const { access_token: token } = login.body as { access_token: string };
    const key = await callApi(server().baseUrl, token, 'POST', '/api/admin/api-keys', {
      name: 'EU game server (tournaments and the weekly cup)',
      scopes: ['scores:write'],
      boards: ['speedrun', 'daily-puzzle', 'weekly-points'],
    });
    expect(key.status).toBe(201);

    const sections: Array<[section: string, shows: RegExp]> = [
      ['boards', /Create a board/],
      ['players', /grace@demo\.example/],
      ['api-keys', /EU game server/],
      ['webhooks', /Webhooks/],
      ['audit', /Audit log/],
    ];
    for (const [section, shows] of sections) {
      await page().goto(`${server().baseUrl}/#/admin/${section}`);
      await page().getByText(shows).first().waitFor();
      await screenshot(`phone-admin-${section}`);
      expect(await overflowing(page()), `the admin page's ${section}`).toEqual([]);
    }
  });
});
