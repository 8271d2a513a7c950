import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { callApi, signUpByApi, signUpInPage } from './accounts';
import { browserSuite } from './browser-suite';

/** A server of this file's own, with a board that resets every minute. */
const { server, page, screenshot } = browserSuite();

type BoardAnswer = { current_period: { id: string; ends_at: string } };

beforeAll(async () => {
  const admin = await signUpByApi(server().baseUrl, 'Admin');
  await server().makeAdmin(admin.email);
  const created = await callApi(server().baseUrl, admin.token, 'POST', '/api/admin/boards', {
    id: 'minute',
    name: 'Minute',
    reset: '* * * * *',
  });
  expect(created.status).toBe(201);
});

const leaderboard = () => page().getByRole('region', { name: 'Leaderboard' });
const periodLine = () => page().getByTestId('leaderboard-period').textContent();
const timer = () => page().getByRole('timer', { name: 'Time until the next reset' });
const seconds = (clock: string) => {
  const [h, m, s] = clock.split(':').map(Number);
  return h! * 3600 + m! * 60 + s!;
};
async function currentPeriod(): Promise<{ id: string; endsAt: number }> {
  const { body } = await callApi(server().baseUrl, null, 'GET', '/api/boards/minute');
  const { id, ends_at } = (body as BoardAnswer).current_period;
  return { id, endsAt: Date.parse(ends_at) };
}

describe('a board that resets every minute, in a real browser', () => {
  it('counts down to the reset, then shows an empty new period and keeps the score in the previous one', async () => {
    const me = await signUpInPage(page(), server().baseUrl, `Sprinter ${randomUUID().slice(0, 4)}`);
    await page().getByLabel('Board', { exact: true }).selectOption('minute');
    await page().getByText('To Minute, current period. Higher is better.').waitFor();
    await page().getByText('Live', { exact: true }).waitFor();
    // Too near the boundary, the score might land in the next minute: wait for that one instead.
    await expect
      .poll(async () => seconds((await timer().textContent())!), { timeout: 70_000 })
      .toBeGreaterThan(8);

    await page().getByLabel('Score', { exact: true }).fill('77');
    await page().getByRole('button', { name: 'Submit' }).click();
    await page().getByText('Submitted: 77.').waitFor();
    await leaderboard().getByText('1 player. You are #1.').waitFor();
    const scoredIn = await currentPeriod();
    const scoredPeriod = await periodLine();
    expect(scoredPeriod).toContain('(current)');

    // Every value the countdown shows from now on, as the page renders it.
    await timer().evaluate((element) => {
      const seen = [element.textContent];
      (window as unknown as { countdown: Array<string | null> }).countdown = seen;
      new MutationObserver(() => {
        if (seen.at(-1) !== element.textContent) seen.push(element.textContent);
      }).observe(element, { subtree: true, childList: true, characterData: true });
    });

    // The minute boundary itself is the one wait of this test that is not for progress.
    await expect.poll(periodLine, { timeout: 75_000, interval: 250 }).not.toBe(scoredPeriod);
    expect(Date.now()).toBeGreaterThanOrEqual(scoredIn.endsAt);
    const shown = await page().evaluate(
      () => (window as unknown as { countdown: string[] }).countdown,
    );
    const reachedZero = shown.indexOf('00:00:00');
    expect(reachedZero).toBeGreaterThan(0);
    const countdown = shown.slice(0, reachedZero + 1).map(seconds);
    expect(countdown).toEqual([...countdown].sort((a, b) => b - a)); // only ever went down
    // ...and then started again from the new period's end, about a minute away.
    await expect.poll(async () => seconds((await timer().textContent())!)).toBeGreaterThan(50);
    expect((await currentPeriod()).id).not.toBe(scoredIn.id);

    // The new period is empty, for me too.
    expect(await periodLine()).toContain('(current)');
    await leaderboard().getByText('No scores in this period yet.').waitFor();
    await leaderboard().getByText('0 players. Submit a score to get ranked.').waitFor();
    await expect.poll(() => page().getByTestId('total-scores').textContent()).toBe('0');

    // The previous period still has the score, final now that it has ended.
    await page()
      .getByRole('group', { name: 'Period' })
      .getByRole('button', { name: 'Previous' })
      .click();
    await leaderboard().getByText('1 player. You are #1.').waitFor();
    expect(await leaderboard().locator('tr.me').textContent()).toBe(`1${me.name} (you)77`);
    await expect.poll(periodLine).toMatch(/\(final\)/);
    expect(await page().getByTestId('total-scores').textContent()).toBe('1');
    expect(await page().getByTestId('high-score').textContent()).toBe('77');

    // The archive lists it with its players, state and top 3, and shows it when chosen.
    const archived = page()
      .getByRole('region', { name: 'Periods' })
      .getByRole('listitem')
      .filter({ hasText: '1 player · Final' });
    await archived.getByRole('list', { name: 'Top 3' }).getByText(`${me.name} 77`).waitFor();
    await page()
      .getByRole('group', { name: 'Period' })
      .getByRole('button', { name: 'Current' })
      .click();
    await leaderboard().getByText('No scores in this period yet.').waitFor();
    await archived.getByRole('button').click();
    await leaderboard().getByText('1 player. You are #1.').waitFor();
    expect(await archived.getByRole('button').getAttribute('aria-pressed')).toBe('true');

    // My placement in its final results, its reward not claimed (a game claims it, by the API).
    // The panel asks again every 30 s while the stream is live: the wait is that, and the results.
    const placements = page().getByRole('region', { name: 'My final placements' });
    const placement = placements.getByRole('row').filter({ hasText: 'Minute' });
    await placement.waitFor({ timeout: 45_000 });
    expect(await placement.locator('td').allTextContents()).toEqual([
      expect.stringContaining('UTC'),
      '#1',
      '77',
      'Not claimed',
    ]);
    await screenshot('boards-rollover');
  }, 180_000);
});
