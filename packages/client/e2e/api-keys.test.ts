import { describe, expect, it } from 'vitest';
import { signUpInPage } from './accounts';
import { browserSuite } from './browser-suite';

/** A server of this file's own: its test makes an admin and API keys. */
const { server, page, screenshot } = browserSuite({
  permissions: ['clipboard-read', 'clipboard-write'],
});

describe('API keys in a real browser', () => {
  it('shows a new key once, copies it, lists the key without it, and revokes it once confirmed', async () => {
    const admin = await signUpInPage(page(), server().baseUrl, 'Key keeper');
    await server().makeAdmin(admin.email);
    await page().goto(`${server().baseUrl}/#/admin/api-keys`);
    await page().reload();

    const form = page().getByRole('region', { name: 'Create an API key' });
    await form.getByLabel('Name', { exact: true }).fill('Game server');
    await form.getByLabel('Only the boards chosen below').check();
    await form.getByLabel('Global (global)').check();
    await form.getByRole('button', { name: 'Create key' }).click();

    const shown = page().getByRole('region', { name: 'New API key “Game server”' });
    await shown.getByText('Copy it now: it will not be shown again.').waitFor();
    const key = await shown.getByLabel('API key').inputValue();
    expect(key.length).toBeGreaterThan(16);
    await shown.getByRole('button', { name: 'Copy' }).click();
    await shown.getByText('Copied to the clipboard.').waitFor();
    expect(await page().evaluate(() => navigator.clipboard.readText())).toBe(key);

    const list = page().getByRole('region', { name: 'API keys', exact: true });
    const row = list.getByRole('row').filter({ hasText: 'Game server' });
    await row.waitFor();
    expect(await row.getByRole('cell').allTextContents()).toEqual([
      'Game server',
      'scores:write',
      'global',
      expect.any(String),
      'Never',
      'Active',
      'Revoke',
    ]);
    await screenshot('admin-api-key');
    await shown.getByRole('button', { name: 'Done, I have stored it' }).click();
    expect(await page().getByText(key).count()).toBe(0);
    // Nor does it come back with the page.
    await page().reload();
    await row.waitFor();
    expect(await page().content()).not.toContain(key);

    await row.getByRole('button', { name: 'Revoke' }).click();
    await list
      .getByRole('group', { name: /^Revoke the key “Game server”\?/ })
      .getByRole('button', { name: 'Revoke key' })
      .click();
    await list.getByText('Revoked the key “Game server”.').waitFor();
    await expect.poll(() => row.getByRole('cell').nth(5).textContent()).toMatch(/^Revoked /);
    expect(await row.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
  });
});
