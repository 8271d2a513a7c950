import { useQuery } from '@tanstack/react-query';
import { cleanup, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiFetch } from '../api/http';
import { fakeServer } from '../test/fake-server';
import { renderWithClient } from '../test/render-with-client';
import { QueryState } from './QueryState';

/** A panel as the dashboard's are: its query's state, then its data. */
function Greeting() {
  const greeting = useQuery({
    queryKey: ['greeting'],
    queryFn: async () => (await apiFetch<{ text: string }>('/api/greeting')).body,
  });
  return (
    <section>
      <QueryState query={greeting} />
      {greeting.data && <p>{greeting.data.text}</p>}
    </section>
  );
}

const failure = () =>
  Response.json(
    { statusCode: 503, error: 'Service Unavailable', message: 'Database unavailable' },
    { status: 503 },
  );

describe('QueryState', () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it('shows a failed query’s error with a Retry button that fetches it again', async () => {
    let answer = failure;
    const server = fakeServer({ 'GET /api/greeting': () => answer() });
    renderWithClient(<Greeting />);
    expect((await screen.findByRole('alert')).textContent).toBe('Database unavailable');
    expect(screen.queryByText('Loading…')).toBeNull();

    answer = () => Response.json({ text: 'Hello' });
    await userEvent.setup().click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('Hello')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
    expect(server.count('GET', '/api/greeting')).toBe(2);
  });

  it('says there was no answer when the request did not reach the server', async () => {
    fakeServer({
      'GET /api/greeting': () => {
        throw new TypeError('Failed to fetch');
      },
    });
    renderWithClient(<Greeting />);
    expect((await screen.findByRole('alert')).textContent).toBe(
      'No answer from the server. Try again.',
    );
    expect(screen.getByRole('button', { name: 'Retry' })).toBeTruthy();
  });
});
