import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { callApi, signUpInPage } from './accounts';
import { browserSuite } from './browser-suite';

/** A server of this file's own: its tests make admins and boards. */
const { server, page, expectConsole, screenshot } = browserSuite();

const createForm = () => page().getByRole('region', { name: 'Create a board' });
const editForm = () => page().getByRole('region', { name: 'Edit a board' });

/** A field's accessible description: its hint and, after a refusal, the server's error. */
const descriptionOf = (label: string) =>
  createForm()
    .getByLabel(label, { exact: true })
    .evaluate((input) =>
      (input.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .filter(Boolean)
        .map((id) => document.getElementById(id)?.textContent)
        .join(' '),
    );

describe('the admin page in a real browser', () => {
  it('is not there for a player, not even at its address', async () => {
    /** The page's GET /api/me, which tells it the role: only then is the absence telling. */
    const accountLoaded = () =>
      page().waitForResponse((r) => new URL(r.url()).pathname === '/api/me' && r.ok());
    let account = accountLoaded();
    const player = await signUpInPage(page(), server().baseUrl);
    expect(await (await account).json()).toMatchObject({ role: 'player' });
    await page().getByText('Live', { exact: true }).waitFor();
    expect(await page().getByRole('link', { name: 'Admin' }).count()).toBe(0);

    account = accountLoaded();
    await page().goto(`${server().baseUrl}/#/admin`);
    await page().reload();
    await account;
    await page().getByRole('heading', { name: 'Submit a score' }).waitFor();
    expect(await page().getByRole('heading', { name: 'Create a board' }).count()).toBe(0);
    expect(await page().getByRole('link', { name: 'Admin' }).count()).toBe(0);
    // Nor would the server take a board from them.
    const refused = await callApi(server().baseUrl, player.token, 'POST', '/api/admin/boards', {
      id: 'sneaky',
      name: 'Sneaky',
    });
    expect(refused.status).toBe(403);
  });

  it('lets an admin create a board, with the server’s field errors next to the fields, and edit it', async () => {
    const me = await signUpInPage(page(), server().baseUrl);
    await server().makeAdmin(me.email);
    // The same session, now an admin: the page learns the role from GET /api/me.
    await page().reload();
    await page()
      .getByRole('navigation', { name: 'Pages' })
      .getByRole('link', { name: 'Admin' })
      .click();
    await createForm().waitFor();
    const id = `sprint-${randomUUID().slice(0, 6)}`;

    // Refused by the server's validation: each error next to its field, the first focused.
    await createForm().getByLabel('Id', { exact: true }).fill('Sprint Board!');
    await createForm().getByLabel('Name', { exact: true }).fill('Sprint');
    await createForm().getByLabel('Max submissions per minute').fill('-1');
    await createForm().getByRole('button', { name: 'Create board' }).click();
    await expect.poll(() => descriptionOf('Id')).toContain('id must be 1 to 64 of a-z, 0-9 and -');
    expect(await descriptionOf('Max submissions per minute')).toContain(
      'max_submissions_per_minute must be between 0 and 1000000',
    );
    expect(
      await createForm()
        .getByLabel('Id', { exact: true })
        .evaluate((e) => e === document.activeElement),
    ).toBe(true);
    await createForm().getByRole('alert').getByText('check the fields marked below').waitFor();

    // A cron expression the server cannot read, then one it can; asc, a range; sent with Enter.
    await createForm().getByLabel('Id', { exact: true }).fill(id);
    await createForm().getByLabel('Max submissions per minute').fill('30');
    await createForm().getByLabel('Lower is better (e.g. race times)').check();
    await createForm().getByLabel('Lowest score allowed').fill('1');
    await createForm().getByLabel('Highest score allowed').fill('600000');
    await createForm().getByLabel('Reset', { exact: true }).selectOption('cron');
    await createForm().getByLabel('Cron expression').fill('61 * * * *');
    await createForm().getByLabel('Time zone').fill('Europe/Paris');
    await createForm().getByLabel('Cron expression').press('Enter');
    await expect
      .poll(() => descriptionOf('Cron expression'))
      .toContain('reset has 61 in its minute field, which takes 0 to 59');
    expect(
      await createForm().getByLabel('Id', { exact: true }).getAttribute('aria-invalid'),
    ).toBeNull();
    await createForm().getByLabel('Cron expression').fill('0 6 * * 1');
    await createForm().getByLabel('Cron expression').press('Enter');
    await createForm().getByText(`Created the board “Sprint” (${id}).`).waitFor();

    const [stored] = await server().sql(
      `SELECT name, sort, score_min, score_max, reset, timezone, authoritative,
              max_submissions_per_minute, archived FROM boards WHERE id = $1`,
      [id],
    );
    expect(stored).toEqual({
      name: 'Sprint',
      sort: 'asc',
      score_min: 1,
      score_max: 600000,
      reset: '0 6 * * 1',
      timezone: 'Europe/Paris',
      authoritative: false,
      max_submissions_per_minute: 30,
      archived: false,
    });
    await screenshot('admin');

    // Edit it: a refused name stays next to the name; then a new name and schedule.
    await editForm().getByLabel('Board to edit').selectOption(id);
    await editForm().getByLabel('Name', { exact: true }).fill('');
    await editForm().getByRole('button', { name: 'Save changes' }).click();
    await editForm().getByText('name must be 1 to 64 printable characters').waitFor();
    expect(await editForm().getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBe(
      'true',
    );
    await editForm().getByLabel('Name', { exact: true }).fill('Sprint (daily)');
    await editForm().getByLabel('Reset', { exact: true }).selectOption('daily');
    await editForm().getByRole('button', { name: 'Save changes' }).click();
    await editForm().getByText('Saved the board “Sprint (daily)”.').waitFor();
    const [edited] = await server().sql('SELECT name, reset FROM boards WHERE id = $1', [id]);
    expect(edited).toEqual({ name: 'Sprint (daily)', reset: 'daily' });

    // Players see it on the dashboard, as an asc board.
    await page().getByRole('link', { name: 'Dashboard' }).click();
    await page().getByLabel('Board', { exact: true }).selectOption(id);
    await page().getByText('To Sprint (daily), current period. Lower is better.').waitFor();
    await page().getByText('Resets daily at midnight (Europe/Paris).', { exact: false }).waitFor();
    await page().getByRole('timer', { name: 'Time until the next reset' }).waitFor();
    expectConsole(/status of 400/);
  });
});
