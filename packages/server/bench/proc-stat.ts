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
