import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Coalescer } from './coalescer';

const WINDOW_MS = 200;

/** A task whose runs are counted and finish when the test says so. */
function controlledTask() {
  const finishers: Array<() => void> = [];
  const task = vi.fn(() => new Promise<void>((resolve) => finishers.push(resolve)));
  return {
    task,
    async finishRun() {
      finishers.shift()!();
      await vi.advanceTimersByTimeAsync(0);
    },
  };
}

describe('Coalescer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs a lone signal at once', () => {
    const { task } = controlledTask();
    new Coalescer(task, WINDOW_MS).signal();
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('turns a burst into one run at once and one at the end of the window', async () => {
    const { task, finishRun } = controlledTask();
    const coalescer = new Coalescer(task, WINDOW_MS);
    for (let i = 0; i < 100; i++) coalescer.signal();
    expect(task).toHaveBeenCalledTimes(1);
    await finishRun();
    await vi.advanceTimersByTimeAsync(WINDOW_MS - 1);
    expect(task).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(task).toHaveBeenCalledTimes(2);
    await finishRun();
    await vi.advanceTimersByTimeAsync(10 * WINDOW_MS);
    expect(task).toHaveBeenCalledTimes(2);
  });

  it('follows a signal that arrives during a run with another run, a window after it', async () => {
    const { task, finishRun } = controlledTask();
    const coalescer = new Coalescer(task, WINDOW_MS);
    coalescer.signal();
    coalescer.signal(); // while the first run reads: it may have read the state before the change
    await finishRun();
    await vi.advanceTimersByTimeAsync(WINDOW_MS);
    expect(task).toHaveBeenCalledTimes(2);
  });

  it('runs nothing more once stopped', async () => {
    const { task, finishRun } = controlledTask();
    const coalescer = new Coalescer(task, WINDOW_MS);
    coalescer.signal();
    coalescer.signal();
    coalescer.stop();
    await finishRun();
    coalescer.signal();
    await vi.advanceTimersByTimeAsync(10 * WINDOW_MS);
    expect(task).toHaveBeenCalledTimes(1);
  });
});
