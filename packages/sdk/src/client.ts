import type {
  AuthResponseDto,
  BoardDto,
  BoardLeaderboardDto,
  BoardListDto,
  BoardStandingDto,
  ClaimDto,
  MeDto,
  MyBoardsDto,
  MyResultsPageDto,
  PeriodPageDto,
  PeriodResultsPageDto,
  ScoreLookupDto,
  ScorePageDto,
  StatsDto,
} from './generated/api.js';
import { Http, type Credentials } from './http.js';
import { SubmissionQueue, type QueueOptions, type SubmitInput } from './queue.js';
import { MemoryStore, type SubmissionStore } from './store.js';
import { openLiveStream, type LiveOptions, type LiveStream } from './stream.js';

export type ClientOptions = {
  /** The server's origin, e.g. `https://scores.example.com`. */
  baseUrl: string;
  /** A player's token (or a function giving the current one), or a game server's API key. */
  credentials: Credentials;
  /**
   * Where queued submissions are kept until answered: `LocalStorageStore` in a browser,
   * `FileStore` (from `@scoreboard/sdk/node`) on a server. Default: memory (lost on exit).
   */
  store?: SubmissionStore;
  queue?: QueueOptions;
  fetch?: typeof fetch;
  /** Per request, default 15 s. */
  timeoutMs?: number;
};

type Query = Record<string, string | number | boolean | undefined>;
/** One page of a list: `cursor` is the `next_cursor` of the page before. */
type PageQuery = { limit?: number; cursor?: string };

/**
 * Logs a player in (POST /api/auth/login) and answers the token with the account; an ApiError
 * (401 `Invalid credentials`, 429 after repeated failures) otherwise.
 */
export async function login(
  baseUrl: string,
  credentials: { email: string; password: string },
  fetchImpl?: typeof fetch,
): Promise<AuthResponseDto> {
  const http = new Http({ baseUrl, credentials: { apiKey: '' }, fetch: fetchImpl });
  return (
    await http.request<AuthResponseDto>('POST', '/api/auth/login', credentials, {
      authenticated: false,
    })
  ).body;
}

/** A board's routes start here. */
const boardPath = (board: string) => `/api/boards/${encodeURIComponent(board)}`;

function withQuery(path: string, query: Query): string {
  const pairs = Object.entries(query).filter(
    (pair): pair is [string, string | number | boolean] => pair[1] !== undefined,
  );
  if (pairs.length === 0) return path;
  return `${path}?${pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`;
}

/**
 * The Scoreboard API for a player (a bearer token) or a game server (an API key, naming the player
 * with `userId`). Submissions go through a durable queue (`submit`); reads answer the server's
 * bodies as they are; `live` follows the stream.
 */
export class ScoreboardClient {
  readonly http: Http;
  readonly queue: SubmissionQueue;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ClientOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.http = new Http({ ...options, fetch: this.fetchImpl });
    this.queue = new SubmissionQueue(this.http, options.store ?? new MemoryStore(), options.queue);
  }

  /**
   * Queues a score under a new idempotency key and resolves with the key once it is stored (see
   * SubmissionQueue); the outcome comes as an event (`client.queue.on`).
   */
  submit(input: SubmitInput): Promise<string> {
    return this.queue.submit(input);
  }

  /** Which of the player's keys are stored, with each score (POST /api/scores/lookup). */
  async lookup(idempotencyKeys: string[], userId?: string | number): Promise<ScoreLookupDto> {
    const body = {
      idempotency_keys: idempotencyKeys,
      ...(userId === undefined ? {} : { user_id: userId }),
    };
    return this.call<ScoreLookupDto>('POST', '/api/scores/lookup', body);
  }

  async me(): Promise<MeDto> {
    return this.call<MeDto>('GET', '/api/me');
  }

  /** Changes the player's display name (PATCH /api/me); every leaderboard shows it from then on. */
  async setDisplayName(displayName: string): Promise<MeDto> {
    const body = { display_name: displayName };
    return this.call<MeDto>('PATCH', '/api/me', body);
  }

  async boards(): Promise<BoardListDto> {
    return this.call<BoardListDto>('GET', '/api/boards');
  }

  async board(board: string): Promise<BoardDto> {
    return this.call<BoardDto>('GET', boardPath(board));
  }

  /** A board's leaderboard: `period` is `current` (default), `previous` or a period id. */
  async leaderboard(
    board = 'global',
    query: { period?: string; limit?: number; offset?: number; users?: (string | number)[] } = {},
  ): Promise<BoardLeaderboardDto> {
    const path = withQuery(`${boardPath(board)}/leaderboard`, {
      ...query,
      users: query.users?.join(','),
    });
    return this.call<BoardLeaderboardDto>('GET', path);
  }

  /**
   * The player's place on a board: their rank, up to `radius` entries above and below, the number
   * of ranked players and their percentile (rank 1 of 200 is 0.5: "top 0.5 %").
   */
  async myStanding(
    board = 'global',
    query: { period?: string; radius?: number } = {},
  ): Promise<BoardStandingDto> {
    const path = withQuery(`${boardPath(board)}/leaderboard/me`, query);
    return this.call<BoardStandingDto>('GET', path);
  }

  /** A board's archive: its current period and every past one with a score, newest first. */
  async periods(board: string, query: PageQuery = {}): Promise<PeriodPageDto> {
    const path = withQuery(`${boardPath(board)}/periods`, query);
    return this.call<PeriodPageDto>('GET', path);
  }

  /**
   * A final period's placements by rank, with their revision (404 `ApiError` while the period is
   * not final). `period` is a period id or `previous`.
   */
  async periodResults(
    board: string,
    period: string,
    query: PageQuery = {},
  ): Promise<PeriodResultsPageDto> {
    const path = withQuery(
      `${boardPath(board)}/periods/${encodeURIComponent(period)}/results`,
      query,
    );
    return this.call<PeriodResultsPageDto>('GET', path);
  }

  /** The player's placements in final periods, newest first; `claimed: false` for rewards due. */
  async myResults(query: PageQuery & { claimed?: boolean } = {}): Promise<MyResultsPageDto> {
    const path = withQuery('/api/me/results', query);
    return this.call<MyResultsPageDto>('GET', path);
  }

  /**
   * Claims a placement's reward: `first` is true for exactly one claim, whatever the concurrency
   * or the retries, so a game grants the reward when it is true (and may retry freely until it
   * gets an answer). A game server (API key) names the player with `userId`.
   */
  async claim(resultId: string, userId?: string | number): Promise<ClaimDto> {
    const path = `/api/me/results/${encodeURIComponent(resultId)}/claim`;
    const body = userId === undefined ? undefined : { user_id: userId };
    return this.call<ClaimDto>('POST', path, body);
  }

  async myStats(query: { board?: string; period?: string } = {}): Promise<StatsDto> {
    return this.call<StatsDto>('GET', withQuery('/api/me/stats', query));
  }

  async myBoards(): Promise<MyBoardsDto> {
    return this.call<MyBoardsDto>('GET', '/api/me/boards');
  }

  async myScores(
    query: { limit?: number; cursor?: string; board?: string } = {},
  ): Promise<ScorePageDto> {
    return this.call<ScorePageDto>('GET', withQuery('/api/me/scores', query));
  }

  /** A request's answer body; an error answer throws ApiError, no answer NetworkError. */
  private async call<T>(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    body?: unknown,
  ): Promise<T> {
    return (await this.http.request<T>(method, path, body)).body;
  }

  /** Follows the live stream (a player's token only), reconnecting until closed. */
  live(options: LiveOptions): LiveStream {
    return openLiveStream(this.http, this.fetchImpl, options);
  }
}
