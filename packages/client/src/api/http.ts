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

/**
 * JSON in, JSON out; a non-2xx answer becomes an ApiError carrying the server's message, no
 * answer at all a NoAnswerError. Either way the reachability store hears whether one came.
 */
export async function apiFetch<T>(
  path: string,
  options: RequestOptions = {},
): Promise<{ body: T; headers: Headers }> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    // Cancelled here (a query no longer needed) is not the server's silence.
    if (options.signal?.aborted) throw error;
    reachability.unanswered();
    throw new NoAnswerError(error);
  }
  if (isGatewayFailure(response)) {
    reachability.unanswered();
    throw new NoAnswerError(new Error(`gateway answered ${response.status}`));
  }
  reachability.answered();
  const text = await response.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const message =
      typeof body === 'object' &&
      body !== null &&
      'message' in body &&
      typeof body.message === 'string'
        ? body.message
        : `Request failed (${response.status})`;
    const { token } = options;
    if (response.status === 401 && token)
      unauthorizedListeners.forEach((listener) => listener(token));
    // Other 403s (a player on an admin route, a wrong password) leave the session as it is.
    if (response.status === 403 && token && message === ACCOUNT_SUSPENDED)
      suspendedListeners.forEach((listener) => listener(token));
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new ApiError(
      response.status,
      message,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      fieldErrorsOf(body),
    );
  }
  return { body: body as T, headers: response.headers };
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
