export type User = { id: string; email: string; display_name: string };
export type AuthResponse = {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  user: User;
};
export type ScoreRange = { score_min: number; score_max: number };
export type ScoreStatus = 'pending' | 'processed' | 'dead';
export type ScoreItem = { id: string; value: number; created_at: string; status: ScoreStatus };
export type ScorePage = { items: ScoreItem[]; next_cursor: string | null };
export type SubmittedScore = {
  id: string;
  value: number;
  created_at: string;
  message: 'Score submitted successfully' | 'Score already submitted';
};
export type Stats = {
  user_id: string;
  total_scores: number;
  average: number;
  high_score: number;
  pending_scores: number;
  updated_at: string | null;
};
export type LeaderboardEntry = {
  rank: number;
  user_id: string;
  display_name: string;
  high_score: number;
  achieved_at: string;
};
export type LeaderboardPage = { items: LeaderboardEntry[]; total_players: number };
export type MyStanding = { rank: number | null; items: LeaderboardEntry[] };
