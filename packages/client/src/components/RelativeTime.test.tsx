import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RelativeTime } from './RelativeTime';
import { TICK_MS } from './use-now';

const NOW = Date.parse('2026-11-25T12:30:00.000Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

describe('a relative time', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: NOW });
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('reads as time ago, in a time element with the exact time on hover', () => {
    render(<RelativeTime at="2026-11-25T12:27:00.000Z" />);
    const time = screen.getByText('3 minutes ago');
    expect(time.tagName).toBe('TIME');
    expect(time.getAttribute('datetime')).toBe('2026-11-25T12:27:00.000Z');
    expect(time.title).toBe(
      new Date('2026-11-25T12:27:00.000Z').toLocaleString(undefined, {
        dateStyle: 'medium',
        timeStyle: 'long',
      }),
    );
    expect(time.title).toMatch(/:27:00/);
  });

  it('gives the exact time in a board’s time zone when given one', () => {
    render(<RelativeTime at="2026-11-25T12:27:00.000Z" timeZone="Asia/Tokyo" />);
    const time = screen.getByText('3 minutes ago');
    expect(time.title).toBe(
      new Date('2026-11-25T12:27:00.000Z').toLocaleString(undefined, {
        dateStyle: 'medium',
        timeStyle: 'long',
        timeZone: 'Asia/Tokyo',
      }),
    );
    // 12:27 UTC is 21:27 in Tokyo.
    expect(time.title).toMatch(/9:27:00 PM|21:27:00/);
  });

  it('says now for under a minute either way, since the clocks differ', () => {
    render(
      <>
        <RelativeTime at={ago(40_000)} />
        <RelativeTime at={ago(-20_000)} />
      </>,
    );
    expect(screen.getAllByText('now')).toHaveLength(2);
  });

  it('uses the largest unit that fits', () => {
    render(
      <>
        <RelativeTime at={ago(5 * 3600_000)} />
        <RelativeTime at={ago(30 * 3600_000)} />
        <RelativeTime at={ago(3 * 7 * 24 * 3600_000)} />
      </>,
    );
    expect(screen.getByText('5 hours ago')).toBeTruthy();
    expect(screen.getByText('yesterday')).toBeTruthy();
    expect(screen.getByText('3 weeks ago')).toBeTruthy();
  });

  it('moves on as time passes, every row on one shared clock', () => {
    const { unmount } = render(
      <>
        <RelativeTime at={ago(30_000)} />
        <RelativeTime at={ago(61_000)} />
        <RelativeTime at={ago(10 * 60_000)} />
      </>,
    );
    expect(screen.getByText('now')).toBeTruthy();
    expect(screen.getByText('1 minute ago')).toBeTruthy();
    expect(vi.getTimerCount()).toBe(1);

    act(() => vi.advanceTimersByTime(4 * TICK_MS));
    expect(screen.getByText('1 minute ago')).toBeTruthy();
    expect(screen.getByText('2 minutes ago')).toBeTruthy();
    expect(screen.getByText('11 minutes ago')).toBeTruthy();

    unmount();
    expect(vi.getTimerCount()).toBe(0);
  });
});
