const NAMED: Record<string, string> = {
  daily: 'Resets daily at midnight',
  weekly: 'Resets weekly, Mondays at 00:00',
  monthly: 'Resets monthly, on the 1st at 00:00',
};

/** A resetting board's schedule in words, with its time zone. */
export function describeReset(reset: string, timezone: string): string {
  return `${NAMED[reset] ?? `Resets on the schedule “${reset}”`} (${timezone})`;
}
