/**
 * The dashboard's view of the API: the SDK's types, which are generated from the server's OpenAPI
 * document (and checked against the running server's by the SDK's tests), so that an answer the
 * server changes breaks this package's typecheck rather than its pages. Where the dashboard knows
 * more than the document says (a display format's spelling) or copes with a server of an earlier
 * version (fields it may not send yet), the refinement is written here, beside its reason.
 */
import type {
  AdminScoreDto,
  AdminUserDto,
  ApiKeyDto,
  AuditEntryDto,
  AuditPersonDto,
  AuthResponseDto,
  BoardDto,
  BoardLeaderboardDto,
  BoardStandingDto,
  CreatedApiKeyDto,
  CreatedWebhookDto,
  LeaderboardEntryDto,
  MeDto,
  MyBoardStandingDto,
  MyResultDto,
  PeriodDto,
  PeriodOfLeaderboardDto,
  ScoreItemDto,
  StatsDto,
  SubmittedScoreDto,
  UserDto,
  WebhookDeliveryDto,
  WebhookDto,
} from '@scoreboard/sdk';

/** Fields a server of an earlier version does not send: optional, with the default said where read. */
type Since<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;
/** A page of items and the cursor of the next (null: the last). */
type Page<T> = { items: T[]; next_cursor: string | null };

export type Role = MeDto['role'];
export type User = UserDto;
export type Account = MeDto;
export type AuthResponse = AuthResponseDto;
/** One field's complaint in a 400's `errors` (the error shape is not in the OpenAPI document). */
export type FieldError = { field: string; message: string };

/** desc: higher is better; asc: lower is better (race times), and "best" is the lowest. */
export type BoardSort = BoardDto['sort'];
/**
 * What a standing's ranked value is (SPEC 2c): the player's best (by the sort), their latest
 * score, the sum of their scores, or how many scores they have.
 */
export type BoardRanking = BoardDto['ranking'];
/** `current`, `previous`, or a period id. */
export type PeriodSelection = string;
export type Period = PeriodDto;
export type PeriodState = PeriodOfLeaderboardDto;
/**
 * How a board's values read (display only; values stay integers): whole numbers, values in units
 * of 10^-N with N decimals, or times in milliseconds or seconds. The document says only "string".
 */
export type DisplayFormat = 'integer' | `decimal:${number}` | 'duration:ms' | 'duration:s';
/**
 * `ranking` absent: a server that predates SPEC 2c, whose boards all rank by the best;
 * `display_format` absent: `integer`; `unit` absent or null: none.
 */
export type Board = Since<Omit<BoardDto, 'display_format'>, 'ranking' | 'unit'> & {
  display_format?: DisplayFormat;
};
export type BoardList = { items: Board[] };
export type PeriodSummary = PeriodState & { players: number; top: LeaderboardEntry[] };
export type PeriodPage = Page<PeriodSummary>;

/** The context a game sent with a score (level, character, replay id): a small JSON object. */
export type ScoreMetadata = NonNullable<ScoreItemDto['metadata']>;

export type ScoreStatus = ScoreItemDto['status'];
export type ScoreItem = ScoreItemDto;
export type ScorePage = Page<ScoreItem>;
export type SubmittedScore = SubmittedScoreDto;
/** `high_score` is the best by the board's sort: the lowest on an asc board. */
export type Stats = StatsDto;
/**
 * `value` is the ranked value (the board's `ranking`; equal to `high_score` on a best board);
 * `metadata` is that of the score that set it, on best and latest boards only.
 */
export type LeaderboardEntry = Since<LeaderboardEntryDto, 'value'>;
export type LeaderboardPage = Omit<BoardLeaderboardDto, 'items'> & { items: LeaderboardEntry[] };
/**
 * `players` ranked in the period and my `percentile` among them (rank / players × 100, two
 * decimals: 0.5 is the top 0.5 %), null before I have a rank; both absent from an older server.
 */
export type MyStanding = Since<Omit<BoardStandingDto, 'items'>, 'players' | 'percentile'> & {
  items: LeaderboardEntry[];
};
/** `value` is the ranked value (the board's `ranking`); absent from a server that predates it. */
export type MyBoardStanding = Since<MyBoardStandingDto, 'ranking' | 'value'>;
export type MyBoards = { items: MyBoardStanding[] };
/**
 * My placement in a final period's results: `claimed_at` is set once a game has claimed its
 * reward (the game claims, the dashboard only shows it).
 */
export type MyResult = MyResultDto;
export type MyResultsPage = Page<MyResult>;

/**
 * What an admin may set on a board (POST /api/admin/boards; PATCH takes all but id and sort, and
 * `ranking` only while the board has no score).
 */
export type BoardSettings = Omit<Board, 'created_at' | 'current_period'>;

/** A player as the admin routes list them; `banned_at` is set while they are banned. */
export type AdminUser = AdminUserDto;
export type AdminUserPage = Page<AdminUser>;
/** A player's score as an admin sees it: a removed one carries when and why. */
export type AdminScore = AdminScoreDto;
export type AdminScorePage = Page<AdminScore>;

export type ApiKeyScope = ApiKeyDto['scopes'][number];
/** `boards` null: the key may submit to every board. */
export type ApiKey = ApiKeyDto;
export type ApiKeyList = { items: ApiKey[] };
/** The answer to creating a key: the only one that holds the key itself. */
export type CreatedApiKey = CreatedApiKeyDto;

export type WebhookEventType = WebhookDto['events'][number];
/** `boards` null: events of every board. */
export type Webhook = WebhookDto;
export type WebhookList = { items: Webhook[] };
/** The answer to creating an endpoint: the only one that holds its signing secret. */
export type CreatedWebhook = CreatedWebhookDto;
export type WebhookDelivery = WebhookDeliveryDto;
export type WebhookDeliveryPage = Page<WebhookDelivery>;

/** A person an audit entry names, as they are now. */
export type AuditPerson = AuditPersonDto;
/**
 * `actor_id` null: no account is recorded as the actor (the command-line tool has none). `actor`
 * null: the command-line tool, or a deleted account; `target_user`: the player a `user:<id>`
 * target names, null when it is not one or was deleted. Both absent from an older server.
 */
export type AuditEntry = Since<AuditEntryDto, 'actor' | 'target_user'>;
export type AuditPage = Page<AuditEntry>;
