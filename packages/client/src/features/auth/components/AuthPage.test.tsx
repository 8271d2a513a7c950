import { cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeServer } from '../../../test/fake-server';
import { renderWithClient } from '../../../test/render-with-client';
import { sessionStore } from '../session-store';
import { AuthPage } from './AuthPage';

const USER = { id: '7', email: 'me@example.com', display_name: 'Me' };
const signedUp = () =>
  Response.json(
    { access_token: 'token', token_type: 'Bearer', expires_in: 3600, user: USER },
    { status: 201 },
  );

const form = (name: 'Log in' | 'Sign up') => screen.getByRole('form', { name });

describe('AuthPage', () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    sessionStore.end();
  });

  it('says what the app is and how to fill it with demo data', () => {
    fakeServer({});
    renderWithClient(<AuthPage notice={null} />);
    const intro = screen.getByText(/Submit scores, follow your rank/);
    expect(intro.textContent).toContain('npm run scoreboard -- demo');
    expect(intro.textContent).toContain('ada@demo.example');
  });

  it('says next to each field what is missing, and sends nothing', async () => {
    const server = fakeServer({});
    renderWithClient(<AuthPage notice={null} />);
    const user = userEvent.setup();
    const login = form('Log in');
    expect((login as HTMLFormElement).noValidate).toBe(true);
    await user.click(within(login).getByRole('button', { name: 'Log in' }));

    const email = within(login).getByLabelText('Email');
    const password = within(login).getByLabelText('Password');
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Enter your email address.').id).toBe(
      email.getAttribute('aria-describedby'),
    );
    expect(screen.getByText('Enter your password.').id).toBe(
      password.getAttribute('aria-describedby'),
    );
    expect(document.activeElement).toBe(email);

    await user.type(email, 'me.example.com');
    expect(screen.getByText('Enter an email address such as name@example.com.')).toBeTruthy();
    await user.click(within(login).getByRole('button', { name: 'Log in' }));
    expect(server.calls).toHaveLength(0);
  });

  it('asks for 8 to 128 characters when signing up, and signs up once the fields are right', async () => {
    const server = fakeServer({ 'POST /api/auth/signup': signedUp });
    renderWithClient(<AuthPage notice={null} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Sign up' }));
    const signup = form('Sign up');
    const password = within(signup).getByLabelText('Password');
    await user.type(within(signup).getByLabelText('Email'), USER.email);
    await user.type(password, 'seven77');
    await user.click(within(signup).getByRole('button', { name: 'Create account' }));
    expect(screen.getByText('Use 8 to 128 characters.')).toBeTruthy();
    expect(password.getAttribute('aria-describedby')!.split(' ')).toHaveLength(2);
    expect(document.activeElement).toBe(password);
    expect(server.calls).toHaveLength(0);

    await user.type(password, '7');
    expect(screen.queryByText('Use 8 to 128 characters.')).toBeNull();
    await user.click(within(signup).getByRole('button', { name: 'Create account' }));
    await vi.waitFor(() => expect(sessionStore.current?.user).toEqual(USER));
    expect(server.calls.map((call) => call.body)).toEqual([
      { email: USER.email, password: 'seven777' },
    ]);
  });
});
