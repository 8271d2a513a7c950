import { backoffDelay, type BackoffOptions } from './backoff.js';
import { ApiError, parseRetryAfter } from './errors.js';
import type { Http } from './http.js';

/** One Server-Sent Event of GET /api/stream, its data parsed. */
export type LiveEvent = {
  /** `stats`, `leaderboard`, `rank`, `heartbeat` or `expired`. */
  type: string;
  data: unknown;
};

/** `open`: events flow; `reconnecting`: waiting to connect again; `closed`: for good. */
export type LiveState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export type LiveOptions = {
  /** Boards to follow (default `global`; at most 10). */
  boards?: string[];
  onEvent: (event: LiveEvent) => void;
  onState?: (state: LiveState, detail?: { error?: unknown; delayMs?: number }) => void;
  /**
   * Called when the token expired (an `expired` event) or was refused (401); the stream reconnects
   * once it resolves (give the client a token function that returns the new token). Without it,
   * the stream closes then.
   */
  onTokenExpired?: () => Promise<void>;
  backoff?: BackoffOptions;
  /** No byte (events, heartbeats every 15 s) for this long: the connection is taken as dead. */
  idleTimeoutMs?: number;
};

export type LiveStream = { close(): void };

/**
 * Follows GET /api/stream with a streaming fetch (headers, unlike EventSource), reconnecting with
 * backoff and jitter after any failure (honouring Retry-After on 429 and 503), and after a silence
 * longer than two heartbeats.
 */
export function openLiveStream(
  http: Http,
  fetchImpl: typeof fetch,
  options: LiveOptions,
): LiveStream {
  let closed = false;
  let abort: AbortController | undefined;
  let wake: (() => void) | undefined;
  const idleTimeoutMs = options.idleTimeoutMs ?? 35_000;
  const query = options.boards ? `?boards=${options.boards.map(encodeURIComponent).join(',')}` : '';
  const setState: NonNullable<LiveOptions['onState']> = (state, detail) =>
    options.onState?.(state, detail);

  async function connectOnce(onOpen: () => void): Promise<'expired' | 'ended'> {
    abort = new AbortController();
    const current = abort;
    let idle: ReturnType<typeof setTimeout> | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => current.abort(), idleTimeoutMs);
    };
    touch();
    try {
      const response = await fetchImpl(`${http.baseUrl}/api/stream${query}`, {
        headers: { accept: 'text/event-stream', ...(await http.authHeaders()) },
        signal: current.signal,
      });
      if (!response.ok || !response.body) {
        const body = (await response.json().catch(() => undefined)) as
          ConstructorParameters<typeof ApiError>[1] | undefined;
        throw new ApiError(
          response.status,
          body,
          parseRetryAfter(response.headers.get('retry-after')),
        );
      }
      onOpen();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return 'ended';
        touch();
        buffer += value;
        let end: number;
        while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
          const event = parseEvent(block);
          if (!event) continue;
          if (event.type === 'expired') return 'expired';
          options.onEvent(event);
        }
      }
    } finally {
      clearTimeout(idle);
    }
  }

  async function run(): Promise<void> {
    let attempt = 0;
    setState('connecting');
    while (!closed) {
      let outcome: 'expired' | 'ended' | undefined;
      let failure: unknown;
      try {
        outcome = await connectOnce(() => {
          attempt = 0;
          setState('open');
        });
      } catch (error) {
        failure = error;
      }
      if (closed) break;
      const unauthorized = failure instanceof ApiError && failure.status === 401;
      if (outcome === 'expired' || unauthorized) {
        if (!options.onTokenExpired) break;
        try {
          await options.onTokenExpired();
        } catch {
          break;
        }
        if (outcome === 'expired') continue;
      }
      if (failure instanceof ApiError && !failure.transient && !unauthorized) {
        setState('closed', { error: failure });
        closed = true;
        return;
      }
      attempt += 1;
      const retryAfterMs = failure instanceof ApiError ? failure.retryAfterMs : undefined;
      const delayMs = backoffDelay(attempt, options.backoff, Math.random, retryAfterMs);
      setState('reconnecting', { error: failure, delayMs });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    closed = true;
    setState('closed');
  }

  void run();
  return {
    close() {
      if (closed) return;
      closed = true;
      abort?.abort();
      wake?.();
    },
  };
}

/** One SSE block (`event:` and `data:` lines; comments and ids ignored). */
export function parseEvent(block: string): LiveEvent | undefined {
  let type = 'message';
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return undefined;
  const text = data.join('\n');
  try {
    return { type, data: JSON.parse(text) };
  } catch {
    return { type, data: text };
  }
}
