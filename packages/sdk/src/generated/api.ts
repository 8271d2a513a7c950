// Generated from the server's OpenAPI document by `npm run generate:types -w packages/sdk`.
// Do not edit: test/api-types.test.ts fails when this differs from what the server serves.

export type AdminScoreDto = {
  id: string;
  value: number;
  board: string;
  created_at: string;
  status: 'pending' | 'processed' | 'dead' | 'removed';
  removed_at: string | null;
  removed_reason: string | null;
  metadata?: Record<string, unknown>;
};

export type AdminScorePageDto = {
  items: AdminScoreDto[];
  next_cursor: string | null;
};

export type AdminUserDto = {
  id: string;
  email: string;
  display_name: string;
  role: 'player' | 'admin';
  banned_at: string | null;
  created_at: string;
};

export type AdminUserPageDto = {
  items: AdminUserDto[];
  next_cursor: string | null;
};

export type ApiKeyDto = {
  id: string;
  name: string;
  scopes: 'scores:write'[];
  boards: string[] | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
};

export type ApiKeyListDto = {
  items: ApiKeyDto[];
};

export type AuditEntryDto = {
  id: string;
  at: string;
  actor_id: string | null;
  action: string;
  target: string;
  reason: string | null;
  actor: AuditPersonDto | null;
  target_user: AuditPersonDto | null;
};

export type AuditPageDto = {
  items: AuditEntryDto[];
  next_cursor: string | null;
};

export type AuditPersonDto = {
  id: string;
  email: string;
  display_name: string;
};

export type AuthResponseDto = {
  access_token: string;
  token_type: string;
  expires_in: number;
  user: UserDto;
};

export type BoardDto = {
  id: string;
  name: string;
  sort: 'desc' | 'asc';
  ranking: 'best' | 'latest' | 'sum' | 'count';
  score_min: number;
  score_max: number;
  reset: string;
  timezone: string;
  authoritative: boolean;
  max_submissions_per_minute: number;
  archived: boolean;
  display_format: string;
  unit: string | null;
  created_at: string;
  current_period: PeriodDto;
};

export type BoardLeaderboardDto = {
  items: LeaderboardEntryDto[];
  total_players: number;
  period: PeriodOfLeaderboardDto;
};

export type BoardListDto = {
  items: BoardDto[];
};

export type BoardStandingDto = {
  rank: number | null;
  items: LeaderboardEntryDto[];
  players: number;
  percentile: number | null;
  period: PeriodOfLeaderboardDto;
};

export type ClaimDto = {
  claimed_at: string;
  first: boolean;
};

export type ClaimResultDto = {
  user_id?: string | number;
};

export type CreateApiKeyDto = {
  name: string;
  scopes: 'scores:write'[];
  boards?: string[] | null;
};

export type CreateBoardDto = {
  ranking?: 'best' | 'latest' | 'sum' | 'count';
  score_min?: number;
  score_max?: number;
  reset?: string;
  timezone?: string;
  authoritative?: boolean;
  max_submissions_per_minute?: number;
  archived?: boolean;
  display_format?: string;
  unit?: string | null;
  id: string;
  name: string;
  sort?: 'desc' | 'asc';
};

export type CreatedApiKeyDto = {
  id: string;
  name: string;
  scopes: 'scores:write'[];
  boards: string[] | null;
  key: string;
  created_at: string;
};

export type CreatedWebhookDto = {
  id: string;
  url: string;
  events: ('score.applied' | 'period.finalized' | 'player.banned' | 'player.unbanned' | 'score.removed' | 'player.deleted')[];
  boards: string[] | null;
  enabled: boolean;
  created_at: string;
  updated_at: string;
  secret: string;
};

export type CreateWebhookDto = {
  url: string;
  events: ('score.applied' | 'period.finalized' | 'player.banned' | 'player.unbanned' | 'score.removed' | 'player.deleted')[];
  boards?: string[] | null;
};

export type DeleteAccountDto = {
  password: string;
};

export type HighScoreDto = {
  user_id: string;
  value: number;
  updated_at: string | null;
};

export type LeaderboardEntryDto = {
  rank: number;
  user_id: string;
  display_name: string;
  value: number;
  high_score: number;
  achieved_at: string;
  metadata?: Record<string, unknown>;
};

export type LeaderboardPageDto = {
  items: LeaderboardEntryDto[];
  total_players: number;
};

export type LoginDto = {
  email: string;
  password: string;
};

export type LookupScoresDto = {
  user_id?: string | number;
  idempotency_keys: string[];
};

export type MeDto = {
  id: string;
  email: string;
  display_name: string;
  role: 'player' | 'admin';
  created_at: string;
};

export type MyBoardsDto = {
  items: MyBoardStandingDto[];
};

export type MyBoardStandingDto = {
  board: string;
  ranking: 'best' | 'latest' | 'sum' | 'count';
  value: number | null;
  period: PeriodDto;
  rank: number | null;
  best: number | null;
  total_scores: number;
  average: number;
};

export type MyResultDto = {
  id: string;
  board: string;
  period: MyResultPeriodDto;
  revision: number;
  rank: number;
  value: number;
  achieved_at: string;
  claimed_at: string | null;
};

export type MyResultPeriodDto = {
  id: string;
  starts_at: string;
  ends_at: string;
};

export type MyResultsPageDto = {
  items: MyResultDto[];
  next_cursor: string | null;
};

export type MyStandingDto = {
  rank: number | null;
  items: LeaderboardEntryDto[];
};

export type OptionalReasonDto = {
  reason?: string;
};

export type PeriodDto = {
  id: string;
  starts_at: string;
  ends_at: string | null;
};

export type PeriodOfLeaderboardDto = {
  id: string;
  starts_at: string;
  ends_at: string | null;
  final: boolean;
};

export type PeriodPageDto = {
  items: PeriodSummaryDto[];
  next_cursor: string | null;
};

export type PeriodResultDto = {
  id: string;
  rank: number;
  user_id: string;
  display_name: string | null;
  value: number;
  achieved_at: string;
  claimed_at: string | null;
};

export type PeriodResultsPageDto = {
  items: PeriodResultDto[];
  revision: number;
  next_cursor: string | null;
};

export type PeriodSummaryDto = {
  id: string;
  starts_at: string;
  ends_at: string | null;
  final: boolean;
  players: number;
  top: LeaderboardEntryDto[];
};

export type ReasonDto = {
  reason: string;
};

export type ScoreItemDto = {
  id: string;
  value: number;
  created_at: string;
  metadata?: Record<string, unknown>;
  board: string;
  status: 'pending' | 'processed' | 'dead' | 'removed';
};

export type ScoreLookupDto = {
  items: ScoreLookupItemDto[];
};

export type ScoreLookupItemDto = {
  idempotency_key: string;
  score: ScoreItemDto | null;
};

export type ScorePageDto = {
  items: ScoreItemDto[];
  next_cursor: string | null;
};

export type SignupDto = {
  email: string;
  password: string;
  display_name?: string;
};

export type StatsDto = {
  user_id: string;
  total_scores: number;
  average: number;
  high_score: number;
  pending_scores: number;
  updated_at: string | null;
};

export type SubmitScoreDto = {
  value: number;
  idempotency_key?: string;
  board?: string;
  user_id?: string | number;
  metadata?: Record<string, unknown>;
};

export type SubmittedScoreDto = {
  id: string;
  value: number;
  created_at: string;
  metadata?: Record<string, unknown>;
  message: 'Score submitted successfully' | 'Score already submitted';
};

export type UpdateBoardDto = {
  ranking?: 'best' | 'latest' | 'sum' | 'count';
  score_min?: number;
  score_max?: number;
  reset?: string;
  timezone?: string;
  authoritative?: boolean;
  max_submissions_per_minute?: number;
  archived?: boolean;
  display_format?: string;
  unit?: string | null;
  name?: string;
};

export type UpdateMeDto = {
  display_name: string;
};

export type UpdateWebhookDto = {
  url?: string;
  events?: ('score.applied' | 'period.finalized' | 'player.banned' | 'player.unbanned' | 'score.removed' | 'player.deleted')[];
  boards?: string[] | null;
  enabled?: boolean;
};

export type UserDto = {
  id: string;
  email: string;
  display_name: string;
};

export type WebhookDeliveryDto = {
  id: string;
  event_id: string;
  event: 'score.applied' | 'period.finalized' | 'player.banned' | 'player.unbanned' | 'score.removed' | 'player.deleted';
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  delivered_at: string | null;
};

export type WebhookDeliveryPageDto = {
  items: WebhookDeliveryDto[];
  next_cursor: string | null;
};

export type WebhookDto = {
  id: string;
  url: string;
  events: ('score.applied' | 'period.finalized' | 'player.banned' | 'player.unbanned' | 'score.removed' | 'player.deleted')[];
  boards: string[] | null;
  enabled: boolean;
  created_at: string;
  updated_at: string;
};

export type WebhookListDto = {
  items: WebhookDto[];
};
