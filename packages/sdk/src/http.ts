import { ApiError, NetworkError, parseRetryAfter, type ApiErrorBody } from './errors.js';

/** How requests authenticate: a player's bearer token, or a game server's API key. */
export type Credentials =
  | {
      /** The player's access token, read before each request (so a refreshed one is used). */
      token: string | (() => string | Promise<string>);
    }
  | { apiKey: string };

export type HttpOptions = {
  /** The server's origin, e.g. `https://scores.example.com` (routes are under /api). */
  baseUrl: string;
  credentials: Credentials;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** A request with no answer after this long is aborted (a NetworkError). Default 15 s. */
  timeoutMs?: number;
};

export type HttpAnswer<T> = { status: number; headers: Headers; body: T };

export type RequestOptions = {
  /** Send the credentials (default true; false for the login). */
  authenticated?: boolean;
  /** Extra request headers, e.g. `Idempotency-Key`. */
  headers?: Record<string, string>;
  /** Cancels the request (a NetworkError, as a timeout is). */
  signal?: AbortSignal;
};

/** JSON over fetch, with the credentials, a timeout, and errors as ApiError or NetworkError. */
export class Http {
  readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  get usesApiKey(): boolean {
    return 'apiKey' in this.options.credentials;
  }

  async authHeaders(): Promise<Record<string, string>> {
    const { credentials } = this.options;
    if ('apiKey' in credentials) return { 'x-api-key': credentials.apiKey };
    const token =
      typeof credentials.token === 'function' ? await credentials.token() : credentials.token;
    return { authorization: `Bearer ${token}` };
  }

  async request<T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<HttpAnswer<T>> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...options.headers,
      ...(options.authenticated === false ? {} : await this.authHeaders()),
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([abort.signal, options.signal]) : abort.signal;
    try {
      let response: Response;
      let text: string;
      try {
        response = await this.fetchImpl(`${this.baseUrl}${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal,
        });
        text = await response.text();
      } catch (error) {
        const reason = options.signal?.aborted
          ? 'cancelled'
          : abort.signal.aborted
            ? `no answer within ${this.timeoutMs} ms`
            : String((error as Error)?.message ?? error);
        throw new NetworkError(`${method} ${path}: ${reason}`, { cause: error });
      }
      const parsed = parseJson(text);
      if (!response.ok) {
        throw new ApiError(
          response.status,
          isErrorBody(parsed) ? parsed : undefined,
          parseRetryAfter(response.headers.get('retry-after')),
        );
      }
      return { status: response.status, headers: response.headers, body: parsed as T };
    } finally {
      clearTimeout(timer);
    }
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  return typeof value === 'object' && value !== null && 'message' in value;
}
