import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { callApi, signUpByApi, signUpInPage, type Account } from './accounts';
import { browserSuite } from './browser-suite';

/**
 * The dashboard's pictures in docs/, light, dark and at a phone's width, of a board with a few
 * players on it. Not a
 * test (nothing is compared): `npm run screenshots -w packages/client`, after building the server.
 */
const DOCS = join(__dirname, '..', '..', '..', 'docs');
const { server, page } = browserSuite();

async function submit(player: Account, value: number): Promise<void> {
  const sent = await callApi(server().baseUrl, player.token, 'POST', '/api/scores', {
    value,
    idempotency_key: randomUUID(),
  });
  expect(sent.status).toBe(201);
}

it('takes the dashboard’s screenshots, light, dark and at a phone’s width', async () => {
  const others: Array<[name: string, scores: number[]]> = [
    ['Grace', [71, 88]],
    ['Linus', [93]],
    ['Grace', [64]],
    ['Margaret', [52, 79]],
    ['Alan', [45]],
  ];
  for (const [name, scores] of others) {
    const player = await signUpByApi(server().baseUrl, name);
    for (const value of scores) await submit(player, value);
  }
  const me = await signUpInPage(page(), server().baseUrl, 'Ada');
  for (const value of [42, 58, 13, 99, 76, 64]) await submit(me, value);
  // Spread my scores over the last hour, as if played a while apart, for the times to read so.
  await server().sql(
    `UPDATE scores s SET created_at = now() - (n.later * interval '9 minutes')
       FROM (SELECT s2.id, row_number() OVER (ORDER BY s2.id DESC) - 1 AS later
               FROM scores s2 JOIN users u ON u.id = s2.user_id WHERE u.email = $1) n
      WHERE s.id = n.id`,
    [me.email],
  );
  await page().reload();
  await page().getByText('Live', { exact: true }).waitFor();
  await expect.poll(() => page().getByTestId('total-scores').textContent()).toBe('6');
  await page()
    .getByRole('img', { name: /^6 scores: first 42, latest 64/ })
    .waitFor();
  await page().getByRole('cell', { name: '45 minutes ago' }).waitFor();

  for (const colorScheme of ['light', 'dark'] as const) {
    await page().emulateMedia({ colorScheme });
    await page().screenshot({ path: join(DOCS, `dashboard-${colorScheme}.png`), fullPage: true });
  }
  // A phone's width (390 px), light.
  await page().emulateMedia({ colorScheme: 'light' });
  await page().setViewportSize({ width: 390, height: 844 });
  await page().screenshot({ path: join(DOCS, 'dashboard-phone.png'), fullPage: true });
});
