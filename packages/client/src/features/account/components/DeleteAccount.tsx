import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { errorMessage } from '../../../api/error-message';
import { apiFetch } from '../../../api/http';
import { sessionStore } from '../../auth/session-store';

/**
 * DELETE /api/me, with the password and a confirmation. Once deleted, the session ends and the
 * login page says so; a wrong password (403) is shown and the session stays.
 */
export function DeleteAccount({ token }: { token: string }) {
  const queryClient = useQueryClient();
  const ids = { title: useId(), password: useId(), warning: useId() };
  const [password, setPassword] = useState('');
  const [confirmed, setConfirmed] = useState(false);

  const deletion = useMutation({
    mutationFn: async () => {
      await apiFetch<void>('/api/me', { method: 'DELETE', token, body: { password } });
    },
    onSuccess: () => {
      sessionStore.end('Your account was deleted.');
      queryClient.clear();
      // Whoever signs in next starts on the dashboard, not on this page of an account now gone.
      window.location.hash = '#/';
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (password && confirmed) deletion.mutate();
  };

  return (
    <section className="card" aria-labelledby={ids.title}>
      <h2 id={ids.title}>Delete my account</h2>
      <p id={ids.warning} className="notice">
        This deletes your account, your scores and your standings for good: it cannot be undone.
        Export your data first to keep a copy.
      </p>
      <form onSubmit={submit}>
        <label htmlFor={ids.password}>Password</label>
        <input
          id={ids.password}
          type="password"
          autoComplete="current-password"
          required
          maxLength={128}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <label className="inline">
          <input
            type="checkbox"
            required
            checked={confirmed}
            onChange={(e) => setConfirmed(e.target.checked)}
            aria-describedby={ids.warning}
          />{' '}
          I understand that my account and all its data will be deleted
        </label>
        {deletion.isError && (
          <p className="error" role="alert">
            {errorMessage(deletion.error)}
          </p>
        )}
        <button
          type="submit"
          className="danger"
          disabled={deletion.isPending || !password || !confirmed}
        >
          {deletion.isPending ? 'Deleting…' : 'Delete my account'}
        </button>
      </form>
    </section>
  );
}
