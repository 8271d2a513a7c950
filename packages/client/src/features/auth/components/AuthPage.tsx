import { useMutation } from '@tanstack/react-query';
import { useId, useRef, useState, type FormEvent } from 'react';
import { apiFetch } from '../../../api/http';
import type { AuthResponse } from '../../../api/types';
import { credentialProblems, type AuthMode } from '../credential-problems';
import { sessionStore } from '../session-store';

/**
 * Log in or sign up. A missing or malformed email or password is said next to its field (not in
 * the browser's bubble) and nothing is sent; the server's messages are shown as given.
 */
export function AuthPage({ notice }: { notice: string | null }) {
  const [mode, setMode] = useState<AuthMode>('login');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [checked, setChecked] = useState(false);
  const emailInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);
  const ids = {
    email: useId(),
    password: useId(),
    name: useId(),
    hint: useId(),
    emailError: useId(),
    passwordError: useId(),
  };
  const problems = checked ? credentialProblems(mode, email, password) : {};
  const describedBy = (...described: Array<string | false>) =>
    described.filter(Boolean).join(' ') || undefined;

  const auth = useMutation({
    mutationFn: async () => {
      const body =
        mode === 'login'
          ? { email, password }
          : {
              email,
              password,
              ...(displayName.trim() ? { display_name: displayName.trim() } : {}),
            };
      return (await apiFetch<AuthResponse>(`/api/auth/${mode}`, { method: 'POST', body })).body;
    },
    onSuccess: (response) => sessionStore.start(response),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = credentialProblems(mode, email, password);
    if (found.email || found.password) {
      setChecked(true);
      (found.email ? emailInput : passwordInput).current?.focus();
      return;
    }
    auth.mutate();
  };

  const switchTo = (next: AuthMode) => {
    setMode(next);
    setChecked(false);
    auth.reset();
  };

  return (
    <main className="auth">
      <h1>Scoreboard</h1>
      <p className="intro">
        Submit scores, follow your rank and the leaderboards live, and look back at past periods.
        Nothing to look at yet? <code>npm run scoreboard -- demo</code> fills the server with demo
        players, boards and two weeks of scores; log in as <code>ada@demo.example</code> with the
        password <code>scoreboard-demo</code>.
      </p>
      {notice && !auth.isError && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <div className="tabs" role="group" aria-label="Account">
        <button type="button" aria-pressed={mode === 'login'} onClick={() => switchTo('login')}>
          Log in
        </button>
        <button type="button" aria-pressed={mode === 'signup'} onClick={() => switchTo('signup')}>
          Sign up
        </button>
      </div>
      <form
        onSubmit={submit}
        className="card"
        aria-label={mode === 'login' ? 'Log in' : 'Sign up'}
        noValidate
      >
        <label htmlFor={ids.email}>Email</label>
        <input
          ref={emailInput}
          id={ids.email}
          type="email"
          autoComplete="email"
          required
          aria-invalid={problems.email ? true : undefined}
          aria-describedby={describedBy(!!problems.email && ids.emailError)}
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        {problems.email && (
          <p id={ids.emailError} className="field-error">
            {problems.email}
          </p>
        )}
        <label htmlFor={ids.password}>Password</label>
        <input
          ref={passwordInput}
          id={ids.password}
          type="password"
          autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
          required
          minLength={mode === 'signup' ? 8 : undefined}
          maxLength={128}
          aria-invalid={problems.password ? true : undefined}
          aria-describedby={describedBy(
            mode === 'signup' && ids.hint,
            !!problems.password && ids.passwordError,
          )}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {problems.password && (
          <p id={ids.passwordError} className="field-error">
            {problems.password}
          </p>
        )}
        {mode === 'signup' && (
          <>
            <p id={ids.hint} className="hint">
              8 to 128 characters.
            </p>
            <label htmlFor={ids.name}>Display name (optional, shown on the leaderboard)</label>
            <input
              id={ids.name}
              type="text"
              autoComplete="nickname"
              maxLength={32}
              value={displayName}
              onChange={(e) => setDisplayName(e.target.value)}
            />
          </>
        )}
        {auth.isError && (
          <p className="error" role="alert">
            {auth.error.message}
          </p>
        )}
        <button type="submit" className="primary" disabled={auth.isPending}>
          {auth.isPending ? 'Please wait…' : mode === 'login' ? 'Log in' : 'Create account'}
        </button>
      </form>
    </main>
  );
}
