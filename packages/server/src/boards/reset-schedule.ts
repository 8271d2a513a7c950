import { Cron } from 'croner';
import { DateTime, IANAZone } from 'luxon';

/** `never`, `daily`, `weekly`, `monthly`, or a five-field cron expression (SPEC section 2a). */
export type Reset = string;

const NAMED: Record<string, string> = {
  daily: '0 0 * * *', // local midnight
  weekly: '0 0 * * 1', // Monday 00:00
  monthly: '0 0 1 * *', // the 1st at 00:00
};

/** Why a reset or timezone cannot be used, for a 400 message; undefined when it can. */
export function resetProblem(reset: string): string | undefined {
  if (reset === 'never' || reset in NAMED) return undefined;
  if (reset.trim().split(/\s+/).length !== 5) {
    return 'reset must be never, daily, weekly, monthly or a five-field cron expression';
  }
  try {
    new Cron(reset, { paused: true, timezone: 'UTC' }).nextRun(new Date(0));
    return undefined;
  } catch (error) {
    return `reset is not a valid cron expression: ${(error as Error).message.replace(/^CronPattern: /, '')}`;
  }
}

export function timezoneProblem(timezone: string): string | undefined {
  return IANAZone.isValidZone(timezone) ? undefined : 'timezone must be an IANA time zone name';
}

/**
 * When a board's periods end: the fire times of its reset in its timezone. The cron arithmetic is
 * croner's, the time-zone arithmetic luxon's; on top of them, SPEC's daylight-saving rule: a fire
 * time whose local time does not exist (clocks jumped over it) is skipped, and a local time that
 * occurs twice (clocks went back) fires once, at its first occurrence.
 */
export class ResetSchedule {
  private readonly cron: Cron | undefined;

  constructor(
    reset: Reset,
    private readonly timezone: string,
  ) {
    const problem = resetProblem(reset) ?? timezoneProblem(timezone);
    if (problem) throw new Error(problem);
    this.cron =
      reset === 'never' ? undefined : new Cron(NAMED[reset] ?? reset, { paused: true, timezone });
  }

  get resets(): boolean {
    return this.cron !== undefined;
  }

  /** The first fire time strictly after `instant`; null for a board that never resets. */
  next(instant: Date): Date | null {
    if (!this.cron) return null;
    for (let candidate = this.cron.nextRun(instant); candidate;) {
      if (this.fires(candidate)) return candidate;
      candidate = this.cron.nextRun(candidate);
    }
    return null;
  }

  /** The last fire time at or before `instant`; null when there is none (or it never resets). */
  previous(instant: Date): Date | null {
    if (!this.cron) return null;
    // croner's previous runs are strictly before the date given.
    const after = new Date(instant.getTime() + 1);
    for (let [candidate] = this.cron.previousRuns(1, after); candidate;) {
      if (this.fires(candidate)) return candidate;
      [candidate] = this.cron.previousRuns(1, candidate);
    }
    return null;
  }

  /**
   * Whether a time the library proposes really fires: its local wall time must match the
   * expression (a library moves a nonexistent local time to one that does not), and must not be
   * the second occurrence of a repeated local time.
   */
  private fires(candidate: Date): boolean {
    if (!this.cron!.match(candidate)) return false;
    const local = DateTime.fromJSDate(candidate, { zone: this.timezone });
    const earlier = local.minus({ hours: 3 });
    const jump = earlier.offset - local.offset; // minutes the clocks went back, if they did
    if (jump <= 0) return true;
    const twin = local.minus({ minutes: jump });
    return !(
      twin.offset === earlier.offset &&
      twin.toFormat('yyyy-MM-dd HH:mm') === local.toFormat('yyyy-MM-dd HH:mm')
    );
  }
}
