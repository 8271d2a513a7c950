const two = (n: number) => String(n).padStart(2, '0');

/**
 * A countdown's text: `hh:mm:ss`, with whole days in front when there are any. Seconds round up,
 * so that 00:00:00 shows only once the time has come.
 */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const days = Math.floor(total / 86_400);
  const clock = `${two(Math.floor(total / 3600) % 24)}:${two(Math.floor(total / 60) % 60)}:${two(total % 60)}`;
  return days > 0 ? `${days} d ${clock}` : clock;
}
