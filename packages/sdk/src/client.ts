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
    return (await this.http.request<ScoreLookupDto>('POST', '/api/scores/lookup', body)).body;
  }

  async me(): Promise<MeDto> {
    return (await this.http.request<MeDto>('GET', '/api/me')).body;
  }

  /** Changes the player's display name (PATCH /api/me); every leaderboard shows it from then on. */
  async setDisplayName(displayName: string): Promise<MeDto> {
    const body = { display_name: displayName };
    return (await this.http.request<MeDto>('PATCH', '/api/me', body)).body;
  }

  async boards(): Promise<BoardListDto> {
    return (await this.http.request<BoardListDto>('GET', '/api/boards')).body;
  }

  async board(board: string): Promise<BoardDto> {
    const path = `/api/boards/${encodeURIComponent(board)}`;
    return (await this.http.request<BoardDto>('GET', path)).body;
  }

  /** A board's leaderboard: `period` is `current` (default), `previous` or a period id. */
  async leaderboard(
    board = 'global',
    query: { period?: string; limit?: number; offset?: number; users?: (string | number)[] } = {},
  ): Promise<BoardLeaderboardDto> {
    const path = withQuery(`/api/boards/${encodeURIComponent(board)}/leaderboard`, {
      ...query,
      users: query.users?.join(','),
    });
    return (await this.http.request<BoardLeaderboardDto>('GET', path)).body;
  }

  /**
   * The player's place on a board: their rank, up to `radius` entries above and below, the number
   * of ranked players and their percentile (rank 1 of 200 is 0.5: "top 0.5 %").
   */
  async myStanding(
    board = 'global',
    query: { period?: string; radius?: number } = {},
  ): Promise<BoardStandingDto> {
    const path = withQuery(`/api/boards/${encodeURIComponent(board)}/leaderboard/me`, query);
    return (await this.http.request<BoardStandingDto>('GET', path)).body;
  }

  /** A board's archive: its current period and every past one with a score, newest first. */
  async periods(board: string, query: PageQuery = {}): Promise<PeriodPageDto> {
    const path = withQuery(`/api/boards/${encodeURIComponent(board)}/periods`, query);
    return (await this.http.request<PeriodPageDto>('GET', path)).body;
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
      `/api/boards/${encodeURIComponent(board)}/periods/${encodeURIComponent(period)}/results`,
      query,
    );
    return (await this.http.request<PeriodResultsPageDto>('GET', path)).body;
  }

  /** The player's placements in final periods, newest first; `claimed: false` for rewards due. */
  async myResults(query: PageQuery & { claimed?: boolean } = {}): Promise<MyResultsPageDto> {
    const path = withQuery('/api/me/results', query);
    return (await this.http.request<MyResultsPageDto>('GET', path)).body;
  }

  /**
   * Claims a placement's reward: `first` is true for exactly one claim, whatever the concurrency
   * or the retries, so a game grants the reward when it is true (and may retry freely until it
   * gets an answer). A game server (API key) names the player with `userId`.
   */
  async claim(resultId: string, userId?: string | number): Promise<ClaimDto> {
    const path = `/api/me/results/${encodeURIComponent(resultId)}/claim`;
    const body = userId === undefined ? undefined : { user_id: userId };
    return (await this.http.request<ClaimDto>('POST', path, body)).body;
  }

  async myStats(query: { board?: string; period?: string } = {}): Promise<StatsDto> {
    return (await this.http.request<StatsDto>('GET', withQuery('/api/me/stats', query))).body;
  }

  async myBoards(): Promise<MyBoardsDto> {
    return (await this.http.request<MyBoardsDto>('GET', '/api/me/boards')).body;
  }

  async myScores(
    query: { limit?: number; cursor?: string; board?: string } = {},
  ): Promise<ScorePageDto> {
    return (await this.http.request<ScorePageDto>('GET', withQuery('/api/me/scores', query))).body;
  }

  /** Follows the live stream (a player's token only), reconnecting until closed. */
  live(options: LiveOptions): LiveStream {
    return openLiveStream(this.http, this.fetchImpl, options);
  }
}
