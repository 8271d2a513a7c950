import { expect, vi } from 'vitest';

type Call = { method: string; url: string; body: unknown; authorization: string | null };
/** The answer of one route, from the request's JSON body (and the request, for its signal). */
type Route = (body: unknown, init?: RequestInit) => Response;

/**
 * Stands in for the API behind fetch, which is all the components see of it: answers each
 * request by its method and URL (`GET /api/me`) and fails any other; keeps the requests for the
 * test to read. Given a token, it also checks that every request carries it.
 */
export function fakeServer(routes: Record<string, Route>, { token }: { token?: string } = {}) {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      const method = init?.method ?? 'GET';
      const body = init?.body ? JSON.parse(String(init.body)) : undefined;
      const authorization = new Headers(init?.headers).get('authorization');
      calls.push({ method, url, body, authorization });
      if (token) expect(authorization).toBe(`Bearer ${token}`);
      const route = routes[`${method} ${url}`];
      if (!route) throw new Error(`unexpected request ${method} ${url}`);
      return route(body, init);
    }),
  );
  return {
    calls,
    count: (method: string, url: string) =>
      calls.filter((c) => c.method === method && c.url === url).length,
  };
}
