/** CPU time from Linux's /proc, in clock ticks (`getconf CLK_TCK` a second). */
import { readdirSync, readFileSync } from 'node:fs';

/**
 * utime + stime of a process and its descendants while they run (a server with API_PROCESSES
 * above 1 is a primary and the HTTP processes it forked). A descendant that has exited meanwhile
 * no longer counts.
 */
export function processTicks(pid: number): number {
  return ownTicks(pid) + childrenOf(pid).reduce((sum, child) => sum + exitedOrTicks(child), 0);
}

function exitedOrTicks(pid: number): number {
  try {
    return processTicks(pid);
  } catch {
    return 0; // it exited
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
        .split(' ')
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return []; // it exited
  }
}

/** utime + stime of one process (all its threads), fields 14 and 15 of /proc/<pid>/stat. */
function ownTicks(pid: number): number {
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

/**
 * utime + stime of every process whose command is `command` (PostgreSQL's backends and helpers
 * are all `postgres`), by pid, with the time of the children each has reaped (cutime + cstime):
 * a PostgreSQL backend that exits (pgbench disconnecting at the end of its run) counts in its
 * postmaster's. Read at the start and end of a window, `ticksBetween` sums them.
 */
export function commandTicks(command: string): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (name !== command) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime, cutime, cstime: fields 14 to 17
      ticks.set(
        Number(entry),
        fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0),
      );
    } catch {
      // it exited
    }
  }
  return ticks;
}

/**
 * The ticks the processes of two `commandTicks` readings used between them: a process that
 * started meanwhile counts from zero; one that exited meanwhile counts in the parent that reaped
 * it, if that is one of them (from its start: a little more than the window, for a process that
 * ran before it).
 */
export function ticksBetween(start: Map<number, number>, end: Map<number, number>): number {
  let sum = 0;
  for (const [pid, ticks] of end) sum += ticks - (start.get(pid) ?? 0);
  return sum;
}
