import { randomUUID } from 'node:crypto';

export type ApiResponse<T = any> = { status: number; headers: Headers; body: T };

/** A thin HTTP client for one running app, with factories for the usual fixtures. */
export class ApiClient {
  constructor(readonly baseUrl: string) {}

  async request<T = any>(
    method: string,
    path: string,
    options: {
      body?: unknown;
      rawBody?: string;
      token?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
    }
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  /** Signs up a user; any field may be overridden. */
  async signup(overrides: { email?: string; password?: string; display_name?: string } = {}) {
    const credentials = {
      email: `user-${randomUUID()}@example.com`,
      password: 'correct horse battery',
      ...overrides,
    };
    const response = await this.request('POST', '/api/auth/signup', { body: credentials });
    if (response.status !== 201)
      throw new Error(`signup failed: ${response.status} ${JSON.stringify(response.body)}`);
    return {
      ...credentials,
      token: response.body.access_token as string,
      user: response.body.user,
    };
  }

  submitScore(token: string, value: unknown, idempotencyKey: string = randomUUID()) {
    return this.request('POST', '/api/scores', {
      token,
      body: { value, idempotency_key: idempotencyKey },
    });
  }
}
