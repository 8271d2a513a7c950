/**
 * A stand-in for the network in the queue's unit tests: each request is answered by the next
 * scripted step (a status with a body and headers, or a thrown network failure), and recorded.
 * The server's real behaviour is tested against the real server (integration.test.ts).
 */
export type Step =
  { status: number; body?: unknown; headers?: Record<string, string> } | { fail: string };

export type Recorded = { method: string; path: string; body: any };

export function scriptedFetch(answer: (request: Recorded, index: number) => Step) {
  const requests: Recorded[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const request = {
      method: init?.method ?? 'GET',
      path: url.pathname + url.search,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    };
    requests.push(request);
    const step = answer(request, requests.length - 1);
    if ('fail' in step) throw new TypeError(step.fail);
    return new Response(step.body === undefined ? null : JSON.stringify(step.body), {
      status: step.status,
      headers: { 'content-type': 'application/json', ...step.headers },
    });
  };
  return { fetch: fetchImpl, requests };
}

export const stored = (request: Recorded, replayed = false): Step => ({
  status: 201,
  body: {
    id: '1',
    value: request.body.value,
    created_at: new Date().toISOString(),
    message: replayed ? 'Score already submitted' : 'Score submitted successfully',
  },
  headers: replayed ? { 'idempotent-replayed': 'true' } : {},
});

export const refused = (status: number, message: string): Step => ({
  status,
  body: { statusCode: status, error: 'Error', message },
});
