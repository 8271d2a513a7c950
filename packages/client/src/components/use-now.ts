import { useSyncExternalStore } from 'react';

/** Fine enough for "3 minutes ago"; times under a minute old all read "now". */
export const TICK_MS = 15_000;

let now = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<() => void>();

function tick() {
  now = Date.now();
  for (const listener of listeners) listener();
}

/** One interval for every subscriber, running only while there is one. */
function subscribe(listener: () => void) {
  listeners.add(listener);
  if (listeners.size === 1) {
    // The clock stood still while no one looked: catch up before the first tick.
    tick();
    timer = setInterval(tick, TICK_MS);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** The time now, shared by all who show one and renewed every {@link TICK_MS}. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, () => now);
}
