import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { apiFetch } from '../../../api/http';
import type { AuthResponse } from '../../../api/types';
import { sessionStore } from '../session-store';

type Mode = 'login' | 'signup';

/** Log in or sign up; the server's messages are shown as given. */
export function AuthPage({ notice }: { notice: string | null }) {
  const [mode, setMode] = useState<Mode>('login');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const ids = { email: useId(), password: useId(), name: useId(), hint: useId() };

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
    auth.mutate();
  };

  const switchTo = (next: Mode) => {
    setMode(next);
    auth.reset();
  };

  return (
    <main className="auth">
      <h1>Scoreboard</h1>
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
      <form onSubmit={submit} className="card" aria-label={mode === 'login' ? 'Log in' : 'Sign up'}>
        <label htmlFor={ids.email}>Email</label>
        <input
          id={ids.email}
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <label htmlFor={ids.password}>Password</label>
        <input
          id={ids.password}
          type="password"
          autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
          required
          minLength={mode === 'signup' ? 8 : undefined}
          maxLength={128}
          aria-describedby={mode === 'signup' ? ids.hint : undefined}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
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
