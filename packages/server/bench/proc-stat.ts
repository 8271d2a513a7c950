/** CPU time from Linux's /proc, in clock ticks (`getconf CLK_TCK` a second). */
import { readFileSync } from 'node:fs';

/** utime + stime of a process (all its threads), fields 14 and 15 of /proc/<pid>/stat. */
export function processTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 2, the command, is in parentheses and may hold spaces: count from after it (field 3).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Ticks of all cores together, from /proc/stat: in all, and busy (all but idle and iowait). */
export function machineTicks(): { all: number; busy: number } {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  // cpu user nice system idle iowait irq softirq steal (guest time is counted within user)
  const all = ticks.slice(1, 9).reduce((a, b) => a + b, 0);
  return { all, busy: all - ticks[4]! - ticks[5]! };
}

/** The share of the machine's cores busy between two readings. */
export const busyShare = (
  start: ReturnType<typeof machineTicks>,
  end: ReturnType<typeof machineTicks>,
) => (end.busy - start.busy) / (end.all - start.all);
