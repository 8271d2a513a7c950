import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { callApi, signUpByApi, signUpInPage, type Account } from './accounts';
import { browserSuite } from './browser-suite';

/** A server of this file's own: its tests make admins. */
const { server, page } = browserSuite();

async function submit(player: Account, ...values: number[]): Promise<void> {
  for (const value of values) {
    const sent = await callApi(server().baseUrl, player.token, 'POST', '/api/scores', {
      value,
      idempotency_key: randomUUID(),
    });
    expect(sent.status).toBe(201);
  }
}

/** Signs up in the page, submits the scores, and waits until my stats count them all. */
async function playerWithScores(...values: number[]): Promise<Account> {
  const me = await signUpInPage(page(), server().baseUrl);
  await submit(me, ...values);
  await expect
    .poll(() => page().getByTestId('total-scores').textContent(), { timeout: 15_000 })
    .toBe(String(values.length));
  return me;
}

async function userId(email: string): Promise<string> {
  const [row] = await server().sql<{ id: string }>('SELECT id FROM users WHERE email = $1', [
    email,
  ]);
  return row!.id;
}

async function becomeAdmin(me: Account): Promise<void> {
  await server().makeAdmin(me.email);
  await page().reload();
  await page().getByRole('link', { name: 'Admin' }).waitFor();
}

type Contrast = {
  selector: string;
  text: string;
  ratio: number;
  color: string;
  background: string;
};

/**
 * The contrast ratio (WCAG's) of the first element each selector matches, between its text
 * colour (an SVG text's fill) and the first opaque background behind it. A selector in
 * `optional` may match nothing; any other is waited for.
 */
async function contrasts(
  page: Page,
  selectors: string[],
  optional: string[] = [],
): Promise<Contrast[]> {
  for (const selector of selectors) await page.locator(selector).first().waitFor();
  return page.evaluate(
    ([required, maybe]) => {
      const rgba = (css: string) => {
        const [r = 0, g = 0, b = 0, a = 1] = (css.match(/[\d.]+/g) ?? []).map(Number);
        return { r, g, b, a };
      };
      const channel = (v: number) =>
        v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4;
      const luminance = (css: string) => {
        const { r, g, b } = rgba(css);
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
      };
      const backgroundOf = (element: Element) => {
        for (let e: Element | null = element; e; e = e.parentElement) {
          const background = getComputedStyle(e).backgroundColor;
          if (rgba(background).a > 0 && background !== 'transparent') return background;
        }
        return 'rgb(255, 255, 255)';
      };
      return [...required, ...maybe].flatMap((selector) => {
        const element = document.querySelector(selector);
        if (!element) return maybe.includes(selector) ? [] : [{ selector, text: 'MISSING' }];
        const style = getComputedStyle(element);
        const color = element instanceof SVGElement ? style.fill : style.color;
        const background = backgroundOf(element);
        const [light, dark] = [luminance(color), luminance(background)].sort((a, b) => b - a);
        const ratio = Math.round(((light! + 0.05) / (dark! + 0.05)) * 100) / 100;
        return [
          {
            selector,
            text: element.textContent?.trim().slice(0, 30) ?? '',
            ratio,
            color,
            background,
          },
        ];
      });
    },
    [selectors, optional] as const,
  ) as Promise<Contrast[]>;
}

/** What must read well on the dashboard: text, hints, badges, forms, tables, the chart. */
const DASHBOARD = [
  'h1',
  'h2',
  '.hint',
  'label',
  'input',
  'select',
  'button.primary',
  'button:not(.primary):not(.link)',
  'a.account-link',
  'button.link',
  '.sort-rule',
  '.stats dd',
  '.table th',
  '.table td',
  '.table tr.me td',
  '.table .status',
  '.chart .tick',
  '.chart .axis-title',
  'figcaption',
];
/** The connection badge is another part's to shape: checked when it is there. */
const BADGES = ['.live'];
const ADMIN = [
  '.pages a',
  '.admin h2',
  '.admin .hint',
  '.admin input[type="search"]',
  '.admin .table td',
  '.admin button.link',
  '.admin .table button',
];

const colours = (p: Page) =>
  p.evaluate(() => ({
    page: getComputedStyle(document.documentElement).backgroundColor,
    text: getComputedStyle(document.documentElement).color,
    card: getComputedStyle(document.querySelector('.card')!).backgroundColor,
  }));

describe('the dashboard’s look in a real browser', () => {
  it('shows a dash, not 0, for the best and the average before the first score', async () => {
    await signUpInPage(page(), server().baseUrl);
    await expect
      .poll(() => page().getByTestId('total-scores').textContent(), { timeout: 15_000 })
      .toBe('0');
    expect(await page().getByTestId('high-score').textContent()).toBe('—');
    expect(await page().getByTestId('average').textContent()).toBe('—');
    await page().getByText('Submit a score to get ranked.').waitFor();
  });

  it('follows the system’s dark mode, with every part of the dashboard and the console readable', async () => {
    const me = await playerWithScores(40, 75);
    await becomeAdmin(me);
    await page().emulateMedia({ colorScheme: 'light' });
    await page()
      .getByRole('img', { name: /^2 scores: first 40, latest 75/ })
      .waitFor();
    const light = await colours(page());
    const lightContrasts = await contrasts(page(), DASHBOARD, BADGES);

    await page().emulateMedia({ colorScheme: 'dark' });
    const dark = await colours(page());
    for (const part of ['page', 'text', 'card'] as const) expect(dark[part]).not.toBe(light[part]);
    const darkContrasts = await contrasts(page(), DASHBOARD, BADGES);
    // The text's colour changed with the background's, everywhere, and still stands out.
    for (const checked of [lightContrasts, darkContrasts])
      expect(checked.filter((c) => !(c.ratio >= 4.5))).toEqual([]);
    expect(darkContrasts.map((c) => c.color)).not.toEqual(lightContrasts.map((c) => c.color));

    const other = await signUpByApi(server().baseUrl);
    await page().getByRole('link', { name: 'Admin' }).click();
    await page().getByRole('link', { name: 'Players' }).click();
    await page().getByRole('button', { name: other.email }).waitFor();
    for (const colorScheme of ['dark', 'light'] as const) {
      await page().emulateMedia({ colorScheme });
      expect((await contrasts(page(), ADMIN)).filter((c) => !(c.ratio >= 4.5))).toEqual([]);
    }
  });

  it('draws the chart’s labels at the page’s size, not scaled down, with titled axes and a plain caption', async () => {
    await playerWithScores(42, 99, 13, 64);
    const chart = page().getByRole('img', { name: /^4 scores/ });
    await chart.waitFor();
    expect(await page().locator('figure.chart figcaption').textContent()).toBe(
      '4 scores: first 42, latest 64, lowest 13, highest 99.',
    );
    /** Each label's height as rendered, and how much the drawing is scaled. */
    const measure = () =>
      chart.evaluate((svg) => ({
        scale: svg.getBoundingClientRect().width / (svg as SVGSVGElement).viewBox.baseVal.width,
        labels: [...svg.querySelectorAll('text')].map((text) => ({
          text: text.textContent,
          height: text.getBoundingClientRect().height,
        })),
      }));
    const wide = await measure();
    expect(wide.labels.map((l) => l.text)).toEqual(
      expect.arrayContaining(['0', '100', 'Score', 'Submissions, oldest to latest']),
    );
    expect(wide.scale).toBeCloseTo(1, 1);
    expect(wide.labels.filter((l) => l.height < 12)).toEqual([]);

    // On a phone the chart is narrower, and its text as large.
    await page().setViewportSize({ width: 375, height: 800 });
    await expect.poll(async () => (await measure()).scale, { timeout: 5000 }).toBeCloseTo(1, 1);
    expect((await measure()).labels.filter((l) => l.height < 12)).toEqual([]);
  });

  it('shows every timestamp on one line as time ago, with the exact time on hover', async () => {
    const me = await playerWithScores(10, 20, 30);
    const [latest] = (
      (await callApi(server().baseUrl, me.token, 'GET', '/api/me/scores?limit=1')).body as {
        items: Array<{ created_at: string }>;
      }
    ).items;
    const recent = page().getByRole('region', { name: 'My recent scores' });
    await recent.getByRole('row').nth(3).waitFor();
    const first = recent.locator('tbody tr').first().locator('time');
    expect(await first.textContent()).toMatch(/^(now|1 minute ago)$/);
    expect(await first.getAttribute('datetime')).toBe(latest!.created_at);
    expect(await first.getAttribute('title')).toBe(
      await page().evaluate(
        (at) => new Date(at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'long' }),
        latest!.created_at,
      ),
    );

    /** Each timestamp's line boxes and height against its line's height. */
    const lines = (scope: ReturnType<Page['locator']>) =>
      scope.locator('time').evaluateAll((times) =>
        times.map((time) => ({
          text: time.textContent,
          lines: time.getClientRects().length,
          fits:
            time.getBoundingClientRect().height <= parseFloat(getComputedStyle(time).lineHeight),
        })),
      );
    const oneLine = { lines: 1, fits: true };
    const recentTimes = await lines(recent);
    expect(recentTimes).toHaveLength(3);
    expect(recentTimes).toEqual(recentTimes.map((t) => ({ ...oneLine, text: t.text })));

    // The console's tables too: the players (created, banned) and the audit log.
    await becomeAdmin(me);
    const banned = await signUpByApi(server().baseUrl);
    const ban = await callApi(
      server().baseUrl,
      me.token,
      'POST',
      `/api/admin/users/${await userId(banned.email)}/ban`,
      { reason: 'A reason long enough to wrap the row if anything in it could wrap' },
    );
    expect(ban.status).toBe(200);
    for (const [section, ready] of [
      ['players', banned.email],
      ['audit', 'banned '],
    ] as const) {
      await page().goto(`${server().baseUrl}/#/admin/${section}`);
      const table = page().locator('.admin table');
      await table.getByText(ready).first().waitFor();
      const times = await lines(table);
      expect(times.length).toBeGreaterThan(0);
      expect(times).toEqual(times.map((t) => ({ ...oneLine, text: t.text })));
    }
  });

  it('has a favicon that the server serves, and asks for nothing missing', async () => {
    const missing: string[] = [];
    page().on('response', (response) => {
      if (response.status() === 404) missing.push(response.url());
    });
    await signUpInPage(page(), server().baseUrl);
    const href = await page().locator('link[rel="icon"]').getAttribute('href');
    expect(href).toBe('/favicon.svg');
    const icon = await fetch(new URL(href!, server().baseUrl));
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await icon.text()).toMatch(/^<svg/);
    expect(missing).toEqual([]);
  });

  it('tells apart players of the same name on the leaderboard and in the console’s player list', async () => {
    const name = `Twin ${randomUUID().slice(0, 4)}`;
    const twins = [
      await signUpByApi(server().baseUrl, name),
      await signUpByApi(server().baseUrl, name),
    ];
    await submit(twins[0]!, 97);
    await submit(twins[1]!, 96);
    const ids = await Promise.all(twins.map((twin) => userId(twin.email)));
    const me = await playerWithScores(1);

    const leaderboard = page().getByRole('region', { name: 'Leaderboard' });
    for (const id of ids)
      await leaderboard.getByRole('cell', { name: `${name} · #${id}` }).waitFor();

    await becomeAdmin(me);
    await page().goto(`${server().baseUrl}/#/admin/players`);
    for (const [i, id] of ids.entries()) {
      const row = page().getByRole('row').filter({ hasText: twins[i]!.email });
      expect(await row.getByRole('cell').nth(1).textContent()).toBe(`${name} · #${id}`);
    }
  });
});
