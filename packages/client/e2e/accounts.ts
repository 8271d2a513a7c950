import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';

export type Account = { email: string; name: string; token: string };

/** Every test account's, so that a test can log in again. */
export const PASSWORD = 'correct horse battery';

/** Signs up through the page, and waits for the dashboard. */
export async function signUpInPage(
  page: Page,
  baseUrl: string,
  name = `Player ${randomUUID().slice(0, 6)}`,
): Promise<Account> {
  const email = `e2e-${randomUUID()}@example.com`;
  await page.goto(baseUrl);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Display name (optional, shown on the leaderboard)').fill(name);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Submit a score' }).waitFor();
  const token = await page.evaluate(
    () => (JSON.parse(localStorage.getItem('scoreboard.session')!) as { token: string }).token,
  );
  return { email, name, token };
}

/** Signs up through the API: a player who is not at the keyboard. */
export async function signUpByApi(
  baseUrl: string,
  name = `Player ${randomUUID().slice(0, 6)}`,
): Promise<Account> {
  const email = `e2e-${randomUUID()}@example.com`;
  const response = await fetch(`${baseUrl}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD, display_name: name }),
  });
  if (response.status !== 201) throw new Error(`signup answered ${response.status}`);
  const { access_token: token } = (await response.json()) as { access_token: string };
  return { email, name, token };
}

/** A JSON request to the API (authenticated when given a token), as another client sends it. */
export async function callApi(
  baseUrl: string,
  token: string | null,
  method: 'GET' | 'POST' | 'PATCH',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}
