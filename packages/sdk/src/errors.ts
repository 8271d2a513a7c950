/** The server's error shape (SPEC section 2). */
export type ApiErrorBody = {
  statusCode: number;
  error: string;
  message: string;
  errors?: { field: string; message: string }[];
};

/** The server answered with an error status. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly body: ApiErrorBody | undefined,
    /** From `Retry-After`, in milliseconds, when the answer carried one. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(body?.message ?? `HTTP ${status}`);
  }

  /**
   * Worth sending again, unchanged: the server was unavailable or busy (5xx), timed out waiting
   * (408), or asked to slow down (429). Any other 4xx is the request's own fault and would be
   * refused again.
   */
  get transient(): boolean {
    return this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

/** No answer: the connection failed or broke, or the request timed out. Always transient. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  readonly transient = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds from now. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
