import { describe, expect, it } from 'vitest';
import { ResetSchedule, resetProblem, timezoneProblem } from './reset-schedule';

const at = (iso: string) => new Date(iso);
/** The next `count` fire times after `from`, as ISO strings. */
function fires(schedule: ResetSchedule, from: string, count: number): string[] {
  const out: string[] = [];
  for (let t: Date | null = at(from); out.length < count;) {
    t = schedule.next(t!);
    if (!t) break;
    out.push(t.toISOString());
  }
  return out;
}

describe('ResetSchedule', () => {
  it('resets daily at local midnight, across a daylight-saving change', () => {
    const ny = new ResetSchedule('daily', 'America/New_York');
    expect(fires(ny, '2026-03-06T12:00:00Z', 4)).toEqual([
      '2026-03-07T05:00:00.000Z',
      '2026-03-08T05:00:00.000Z', // midnight EST, the night clocks spring forward at 02:00
      '2026-03-09T04:00:00.000Z', // midnight EDT
      '2026-03-10T04:00:00.000Z',
    ]);
  });

  it('resets weekly on Monday 00:00 and monthly on the 1st, at month ends and in leap years', () => {
    const weekly = new ResetSchedule('weekly', 'UTC');
    expect(fires(weekly, '2026-11-25T10:00:00Z', 2)).toEqual([
      '2026-11-30T00:00:00.000Z',
      '2026-12-07T00:00:00.000Z',
    ]);
    const monthly = new ResetSchedule('monthly', 'Europe/Berlin');
    expect(fires(monthly, '2028-01-31T22:59:59Z', 3)).toEqual([
      '2028-01-31T23:00:00.000Z', // Feb 1 00:00 CET
      '2028-02-29T23:00:00.000Z', // Mar 1, after a 29-day February
      '2028-03-31T22:00:00.000Z', // Apr 1 00:00 CEST
    ]);
  });

  it('fires every minute for a minute cron, and not at the instant it is asked from', () => {
    const minute = new ResetSchedule('* * * * *', 'UTC');
    expect(fires(minute, '2026-11-25T10:00:00Z', 3)).toEqual([
      '2026-11-25T10:01:00.000Z',
      '2026-11-25T10:02:00.000Z',
      '2026-11-25T10:03:00.000Z',
    ]);
    expect(minute.previous(at('2026-11-25T10:00:00Z'))!.toISOString()).toBe(
      '2026-11-25T10:00:00.000Z',
    );
    expect(minute.previous(at('2026-11-25T10:00:30Z'))!.toISOString()).toBe(
      '2026-11-25T10:00:00.000Z',
    );
  });

  it('skips a local time that does not exist (clocks spring forward over it)', () => {
    const london = new ResetSchedule('30 1 * * *', 'Europe/London');
    expect(fires(london, '2026-03-27T12:00:00Z', 3)).toEqual([
      '2026-03-28T01:30:00.000Z',
      // 29 March: 01:00 GMT -> 02:00 BST, there is no 01:30
      '2026-03-30T00:30:00.000Z',
      '2026-03-31T00:30:00.000Z',
    ]);
    expect(london.previous(at('2026-03-30T00:00:00Z'))!.toISOString()).toBe(
      '2026-03-28T01:30:00.000Z',
    );
  });

  it('fires a repeated local time once (clocks go back over it)', () => {
    const london = new ResetSchedule('30 1 * * *', 'Europe/London');
    expect(fires(london, '2026-10-24T12:00:00Z', 2)).toEqual([
      '2026-10-25T00:30:00.000Z', // 01:30 BST; 01:30 GMT an hour later does not fire
      '2026-10-26T01:30:00.000Z',
    ]);
    const ny = new ResetSchedule('*/30 * * * *', 'America/New_York');
    expect(fires(ny, '2026-11-01T04:45:00Z', 4)).toEqual([
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T05:30:00.000Z', // 01:30 EDT
      // 01:00 and 01:30 EST repeat them: skipped
      '2026-11-01T07:00:00.000Z', // 02:00 EST
      '2026-11-01T07:30:00.000Z',
    ]);
    expect(ny.previous(at('2026-11-01T06:45:00Z'))!.toISOString()).toBe('2026-11-01T05:30:00.000Z');
  });

  it('never fires for a board that never resets', () => {
    const never = new ResetSchedule('never', 'UTC');
    expect(never.resets).toBe(false);
    expect(never.next(at('2026-11-25T10:00:00Z'))).toBeNull();
    expect(never.previous(at('2026-11-25T10:00:00Z'))).toBeNull();
  });
});

describe('validation', () => {
  it.each(['never', 'daily', 'weekly', 'monthly', '0 0 * * *', '*/15 9-17 * * 1-5', '0 0 1 */3 *'])(
    'accepts reset %j',
    (reset) => expect(resetProblem(reset)).toBeUndefined(),
  );

  it.each(['hourly', '0 0 * *', '0 0 0 * * *', '61 * * * *', '* * 32 * *', 'every day', ''])(
    'refuses reset %j',
    (reset) => expect(resetProblem(reset)).toMatch(/^reset /),
  );

  it.each(['0 0 * JAN-MAR MON-FRI', '0 0 * * 0,7', '5,10-20/5 */2 1-15 * *', '0 0 29 2 *'])(
    'accepts the cron %j',
    (reset) => expect(resetProblem(reset)).toBeUndefined(),
  );

  it.each([
    ['*/0 * * * *', 'reset has a step of 0 in its minute field; a step is 1 or more'],
    ['0 0 30 2 *', 'reset never fires: no month it names has the day of month it names'],
    ['0 0 31 4,6,9,11 *', 'reset never fires: no month it names has the day of month it names'],
    ['61 * * * *', 'reset has 61 in its minute field, which takes 0 to 59'],
    ['* * 0 * *', 'reset has 0 in its day of month field, which takes 1 to 31'],
    ['0 0 * * 8', 'reset has 8 in its day of week field, which takes 0 to 7'],
    ['0 0 * 5-2 *', 'reset has a backwards range (5-2) in its month field'],
    [
      '0 0 L * *',
      'reset has "L" in its day of month field, which takes 1 to 31, a range a-b or *, each with an optional /step, separated by commas',
    ],
  ])('refuses the cron %j in its own words', (reset, message) =>
    expect(resetProblem(reset)).toBe(message),
  );

  it('accepts IANA time zones only', () => {
    expect(timezoneProblem('Europe/Paris')).toBeUndefined();
    expect(timezoneProblem('UTC')).toBeUndefined();
    expect(timezoneProblem('Mars/Olympus_Mons')).toBe('timezone must be an IANA time zone name');
    expect(timezoneProblem('')).toBe('timezone must be an IANA time zone name');
  });
});
