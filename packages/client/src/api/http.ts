import { ApiError as SdkApiError, Http } from '@scoreboard/sdk';
import { NoAnswerError, isGatewayFailure, reachability } from './reachability';
import type { FieldError } from './types';

/** An error answer of the API, with its readable message (SPEC: one string) and field errors. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterSeconds?: number,
    readonly fieldErrors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Told the token the server refused, so that a late answer to an older session ends nothing. */
type Listener = (token: string) => void;
const unauthorizedListeners = new Set<Listener>();
const suspendedListeners = new Set<Listener>();

/** The server's message (403) for a request of, or a login to, a banned account. */
const ACCOUNT_SUSPENDED = 'Account suspended';

/** Called when the server refuses the session's token (expired, revoked, tampered). */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** Called when the server refuses the session's account: an admin banned it. */
export function onSuspended(listener: Listener): () => void {
  suspendedListeners.add(listener);
  return () => suspendedListeners.delete(listener);
}

export type RequestOptions = {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  token?: string | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
};

/** Long enough for an export of a player's whole history; the SDK's default is 15 s. */
const TIMEOUT_MS = 60_000;

/**
 * JSON in, JSON out, through the SDK's HTTP client (same origin, the session's token when given):
 * a non-2xx answer becomes an ApiError carrying the server's message, no answer at all (or a
 * gateway's for a server that did not answer) a NoAnswerError. Either way the reachability store
 * hears whether one came.
 */
export async function apiFetch<T>(
  path: string,
  options: RequestOptions = {},
): Promise<{ body: T; headers: Headers }> {
  const { token } = options;
  const http = new Http({
    baseUrl: '',
    credentials: { token: token ?? '' },
    timeoutMs: TIMEOUT_MS,
  });
  try {
    const answer = await http.request<T>(options.method ?? 'GET', path, options.body, {
      authenticated: Boolean(token),
      headers: options.headers,
      signal: options.signal,
    });
    reachability.answered();
    return { body: answer.body, headers: answer.headers };
  } catch (error) {
    // Cancelled here (a query no longer needed) is not the server's silence.
    if (options.signal?.aborted) throw error;
    if (error instanceof SdkApiError && !isGatewayFailure(error)) {
      reachability.answered();
      throw refusal(error, token);
    }
    reachability.unanswered();
    throw new NoAnswerError(error);
  }
}

/** The client's ApiError for an error answer, after telling the session a refused token's fate. */
function refusal(error: SdkApiError, token: string | null | undefined): ApiError {
  const message = error.body?.message ?? `Request failed (${error.status})`;
  if (error.status === 401 && token) unauthorizedListeners.forEach((listener) => listener(token));
  // Other 403s (a player on an admin route, a wrong password) leave the session as it is.
  if (error.status === 403 && token && message === ACCOUNT_SUSPENDED)
    suspendedListeners.forEach((listener) => listener(token));
  return new ApiError(
    error.status,
    message,
    error.retryAfterMs ? error.retryAfterMs / 1000 : undefined,
    fieldErrorsOf(error.body),
  );
}

function fieldErrorsOf(body: unknown): FieldError[] {
  if (typeof body !== 'object' || body === null || !('errors' in body)) return [];
  const { errors } = body;
  return Array.isArray(errors)
    ? errors.filter(
        (e): e is FieldError =>
          typeof e === 'object' &&
          e !== null &&
          typeof (e as FieldError).field === 'string' &&
          typeof (e as FieldError).message === 'string',
      )
    : [];
}
