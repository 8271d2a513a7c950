import { useQuery } from '@tanstack/react-query';
import { cleanup, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiFetch } from '../api/http';
import { reachability } from '../api/reachability';
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
    reachability.answered();
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

  it('leaves no answer at all to the page’s banner: the panel waits, with neither alert nor Retry', async () => {
    let answer: () => Response = () => {
      throw new TypeError('Failed to fetch');
    };
    fakeServer({ 'GET /api/greeting': () => answer() });
    const client = renderWithClient(<Greeting />);
    expect(await screen.findByText('Waiting for the server…')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
    expect(reachability.current).toBe(false);

    // A gateway's own 502 (no JSON of ours) is no answer from the server either.
    answer = () => new Response('Bad Gateway', { status: 502 });
    await client.refetchQueries();
    expect(reachability.current).toBe(false);
    expect(screen.getByText('Waiting for the server…')).toBeTruthy();

    answer = () => Response.json({ text: 'Hello' });
    await client.refetchQueries();
    expect(await screen.findByText('Hello')).toBeTruthy();
    expect(reachability.current).toBe(true);
    expect(screen.queryByText('Waiting for the server…')).toBeNull();
  });

  it('keeps what it showed when a later fetch gets no answer', async () => {
    let answer: () => Response = () => Response.json({ text: 'Hello' });
    fakeServer({ 'GET /api/greeting': () => answer() });
    const client = renderWithClient(<Greeting />);
    expect(await screen.findByText('Hello')).toBeTruthy();
    answer = () => {
      throw new TypeError('Failed to fetch');
    };
    await client.refetchQueries();
    expect(reachability.current).toBe(false);
    expect(screen.getByText('Hello')).toBeTruthy();
    expect(screen.queryByText('Waiting for the server…')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
