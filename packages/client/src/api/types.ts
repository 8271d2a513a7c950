export type Role = 'player' | 'admin';
export type User = { id: string; email: string; display_name: string };
export type Account = User & { role: Role; created_at: string };
export type AuthResponse = {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  user: User;
};
export type FieldError = { field: string; message: string };

/** desc: higher is better; asc: lower is better (race times), and "best" is the lowest. */
export type BoardSort = 'desc' | 'asc';
/**
 * What a standing's ranked value is (SPEC 2c): the player's best (by the sort), their latest
 * score, the sum of their scores, or how many scores they have.
 */
export type BoardRanking = 'best' | 'latest' | 'sum' | 'count';
/** `current`, `previous`, or a period id. */
export type PeriodSelection = string;
export type Period = { id: string; starts_at: string; ends_at: string | null };
export type PeriodState = Period & { final: boolean };
/**
 * How a board's values read (display only; values stay integers): whole numbers, values in units
 * of 10^-N with N decimals, or times in milliseconds or seconds.
 */
export type DisplayFormat = 'integer' | `decimal:${number}` | 'duration:ms' | 'duration:s';
export type Board = {
  id: string;
  name: string;
  sort: BoardSort;
  /** Absent from a server that predates SPEC 2c, whose boards all rank by the best. */
  ranking?: BoardRanking;
  score_min: number;
  score_max: number;
  /** never, daily, weekly, monthly or a five-field cron expression */
  reset: string;
  timezone: string;
  authoritative: boolean;
  max_submissions_per_minute: number;
  archived: boolean;
  /** Absent from a server that predates display formats: `integer`. */
  display_format?: DisplayFormat;
  /** Shown after values ("pts"); null or absent: none. */
  unit?: string | null;
  created_at: string;
  current_period: Period;
};
export type BoardList = { items: Board[] };
export type PeriodSummary = PeriodState & { players: number; top: LeaderboardEntry[] };
export type PeriodPage = { items: PeriodSummary[]; next_cursor: string | null };

/** The context a game sent with a score (level, character, replay id): a small JSON object. */
export type ScoreMetadata = Record<string, unknown>;

export type ScoreStatus = 'pending' | 'processed' | 'dead' | 'removed';
export type ScoreItem = {
  id: string;
  value: number;
  board: string;
  created_at: string;
  status: ScoreStatus;
  metadata?: ScoreMetadata;
};
export type ScorePage = { items: ScoreItem[]; next_cursor: string | null };
export type SubmittedScore = {
  id: string;
  value: number;
  created_at: string;
  message: 'Score submitted successfully' | 'Score already submitted';
};
/** `high_score` is the best by the board's sort: the lowest on an asc board. */
export type Stats = {
  user_id: string;
  total_scores: number;
  average: number;
  high_score: number;
  pending_scores: number;
  updated_at: string | null;
};
/**
 * `value` is the ranked value (the board's `ranking`; equal to `high_score` on a best board);
 * `metadata` is that of the score that set it, on best and latest boards only.
 */
export type LeaderboardEntry = {
  rank: number;
  user_id: string;
  display_name: string;
  high_score: number;
  value?: number;
  achieved_at: string;
  metadata?: ScoreMetadata;
};
export type LeaderboardPage = {
  items: LeaderboardEntry[];
  total_players: number;
  period: PeriodState;
};
/**
 * `players` ranked in the period and my `percentile` among them (rank / players × 100, two
 * decimals: 0.5 is the top 0.5 %), null before I have a rank.
 */
export type MyStanding = {
  rank: number | null;
  items: LeaderboardEntry[];
  period: PeriodState;
  players?: number;
  percentile?: number | null;
};
/** `value` is the ranked value (the board's `ranking`); absent from a server that predates it. */
export type MyBoardStanding = {
  board: string;
  ranking?: BoardRanking;
  value?: number | null;
  period: Period;
  rank: number | null;
  best: number | null;
  total_scores: number;
  average: number;
};
export type MyBoards = { items: MyBoardStanding[] };

/**
 * What an admin may set on a board (POST /api/admin/boards; PATCH takes all but id and sort, and
 * `ranking` only while the board has no score).
 */
export type BoardSettings = Omit<Board, 'created_at' | 'current_period'>;

/** A player as the admin routes list them; `banned_at` is set while they are banned. */
export type AdminUser = Account & { banned_at: string | null };
export type AdminUserPage = { items: AdminUser[]; next_cursor: string | null };
/** A player's score as an admin sees it: a removed one carries when and why. */
export type AdminScore = ScoreItem & { removed_at: string | null; removed_reason: string | null };
export type AdminScorePage = { items: AdminScore[]; next_cursor: string | null };

export type ApiKeyScope = 'scores:write';
/** `boards` null: the key may submit to every board. */
export type ApiKey = {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  boards: string[] | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
};
export type ApiKeyList = { items: ApiKey[] };
/** The answer to creating a key: the only one that holds the key itself. */
export type CreatedApiKey = Pick<ApiKey, 'id' | 'name' | 'scopes' | 'boards' | 'created_at'> & {
  key: string;
};

export type WebhookEventType =
  | 'score.applied'
  | 'period.finalized'
  | 'player.banned'
  | 'player.unbanned'
  | 'score.removed'
  | 'player.deleted';
/** `boards` null: events of every board. */
export type Webhook = {
  id: string;
  url: string;
  events: WebhookEventType[];
  boards: string[] | null;
  enabled: boolean;
  created_at: string;
  updated_at: string;
};
export type WebhookList = { items: Webhook[] };
/** The answer to creating an endpoint: the only one that holds its signing secret. */
export type CreatedWebhook = Webhook & { secret: string };
export type WebhookDelivery = {
  id: string;
  event_id: string;
  event: WebhookEventType;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  delivered_at: string | null;
};
export type WebhookDeliveryPage = { items: WebhookDelivery[]; next_cursor: string | null };

/** `actor_id` null: no account is recorded as the actor (the command-line tool has none). */
/** A person an audit entry names, as they are now. */
export type AuditPerson = { id: string; email: string; display_name: string };
export type AuditEntry = {
  id: string;
  at: string;
  actor_id: string | null;
  action: string;
  target: string;
  reason: string | null;
  /** null: the command-line tool, or a deleted account; absent from an older server. */
  actor?: AuditPerson | null;
  /** The player a `user:<id>` target names; null when it is not one, or was deleted. */
  target_user?: AuditPerson | null;
};
export type AuditPage = { items: AuditEntry[]; next_cursor: string | null };
