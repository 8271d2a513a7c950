import { Cron } from 'croner';
import { DateTime, IANAZone } from 'luxon';

/** `never`, `daily`, `weekly`, `monthly`, or a five-field cron expression (SPEC section 2a). */
export type Reset = string;

const NAMED: Record<string, string> = {
  daily: '0 0 * * *', // local midnight
  weekly: '0 0 * * 1', // Monday 00:00
  monthly: '0 0 1 * *', // the 1st at 00:00
};

type CronField = { name: string; min: number; max: number; names?: string[] };

/** The five fields of a cron expression, in order; month and day-of-week names are English. */
const CRON_FIELDS: CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  // 0 and 7 are both Sunday.
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

/** `*`, a value or a range of values, then optionally a step. */
const CRON_ITEM = /^(?:(\*)|([0-9]+|[A-Za-z]{3})(?:-([0-9]+|[A-Za-z]{3}))?)(?:\/([0-9]+))?$/;

/**
 * Why a reset cannot be used, for a 400 message in our words (never croner's); undefined when it
 * can. A cron expression must also fire some day: `0 0 30 2 *` (30 February) never does, and
 * would leave the board's period open forever.
 */
export function resetProblem(reset: string): string | undefined {
  if (reset === 'never' || reset in NAMED) return undefined;
  const fields = reset.trim().split(/\s+/);
  if (fields.length !== 5) {
    return 'reset must be never, daily, weekly, monthly or a five-field cron expression';
  }
  for (const [i, text] of fields.entries()) {
    const problem = cronFieldProblem(text, CRON_FIELDS[i]!);
    if (problem) return problem;
  }
  let firstRun: Date | null;
  try {
    firstRun = new Cron(reset, { paused: true, timezone: 'UTC' }).nextRun(new Date(0));
  } catch {
    return 'reset is not a valid five-field cron expression';
  }
  if (!firstRun) return 'reset never fires: no month it names has the day of month it names';
  return undefined;
}

/** What is wrong with one field of a cron expression, as a 400 message, or undefined. */
function cronFieldProblem(text: string, field: CronField): string | undefined {
  const where = `in its ${field.name} field`;
  const takes = `${field.min} to ${field.max}`;
  for (const item of text.split(',')) {
    const match = CRON_ITEM.exec(item);
    if (!match) {
      const names = field.names ? `, ${field.names[0]} to ${field.names.at(-1)}` : '';
      return `reset has "${item}" ${where}, which takes ${takes}${names}, a range a-b or *, each with an optional /step, separated by commas`;
    }
    const [, , from, to, step] = match;
    const values = [from, to].filter((v): v is string => v !== undefined);
    const outside = values.find((value) => cronValue(value, field) === undefined);
    if (outside !== undefined) return `reset has ${outside} ${where}, which takes ${takes}`;
    if (values.length === 2 && cronValue(values[0]!, field)! > cronValue(values[1]!, field)!) {
      return `reset has a backwards range (${values[0]}-${values[1]}) ${where}`;
    }
    if (step !== undefined && Number(step) === 0) {
      return `reset has a step of 0 ${where}; a step is 1 or more`;
    }
  }
  return undefined;
}

function cronValue(text: string, field: CronField): number | undefined {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return field.min === 0 ? named : named + 1;
  if (!/^[0-9]+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= field.min && value <= field.max ? value : undefined;
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
