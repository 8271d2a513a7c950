/** The events an endpoint may subscribe to (SPEC 2d). */
export const WEBHOOK_EVENT_TYPES = [
  'score.applied',
  'period.finalized',
  'player.banned',
  'player.unbanned',
  'score.removed',
  'player.deleted',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/**
 * An event as written to the outbox. `boardId` names the board it is about (an endpoint limited
 * to some boards gets only theirs); events about a player (bans, deletions) have none and go to
 * every endpoint that subscribed to their type.
 */
export type OutboxEvent = {
  type: WebhookEventType;
  boardId: string | null;
  data: Record<string, unknown>;
};
