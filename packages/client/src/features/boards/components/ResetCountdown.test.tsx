import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatRemaining } from '../format-remaining';
import { ResetCountdown } from './ResetCountdown';

const START = Date.parse('2026-11-25T14:34:10.400Z');
const END = '2026-11-25T14:35:00.000Z';
const clock = () => screen.getByRole('timer', { name: 'Time until the next reset' }).textContent;
const advance = (ms: number) => act(() => vi.advanceTimersByTime(ms));

describe('formatRemaining', () => {
  it('shows hours, minutes and seconds, rounding the seconds up', () => {
    expect(formatRemaining(49_600)).toBe('00:00:50');
    expect(formatRemaining(3_600_000)).toBe('01:00:00');
    expect(formatRemaining(1)).toBe('00:00:01');
  });

  it('puts whole days in front, as a monthly board needs', () => {
    expect(formatRemaining(((30 * 24 + 5) * 3600 + 7) * 1000)).toBe('30 d 05:00:07');
  });

  it('never goes below zero', () => {
    expect(formatRemaining(0)).toBe('00:00:00');
    expect(formatRemaining(-5000)).toBe('00:00:00');
  });
});

describe('ResetCountdown', () => {
  beforeEach(() => vi.useFakeTimers({ now: START }));
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('counts down each second to 00:00:00 at the end, and then asks once for the new period', () => {
    const onElapsed = vi.fn();
    render(<ResetCountdown endsAt={END} onElapsed={onElapsed} />);
    expect(clock()).toBe('00:00:50');
    advance(600); // the ticks fall on the end's own seconds
    expect(clock()).toBe('00:00:49');
    advance(1000);
    expect(clock()).toBe('00:00:48');
    advance(47_999);
    expect(clock()).toBe('00:00:01');
    expect(onElapsed).not.toHaveBeenCalled();
    advance(1);
    expect(clock()).toBe('00:00:00');
    expect(onElapsed).toHaveBeenCalledTimes(1);
    advance(10_000);
    expect(onElapsed).toHaveBeenCalledTimes(1);
  });

  it('starts again from the new period’s end', () => {
    const onElapsed = vi.fn();
    const { rerender } = render(<ResetCountdown endsAt={END} onElapsed={onElapsed} />);
    advance(49_600);
    expect(onElapsed).toHaveBeenCalledTimes(1);
    rerender(<ResetCountdown endsAt="2026-11-25T14:36:00.000Z" onElapsed={onElapsed} />);
    expect(clock()).toBe('00:01:00');
    advance(60_000);
    expect(clock()).toBe('00:00:00');
    expect(onElapsed).toHaveBeenCalledTimes(2);
  });

  it('asks for the new period at once when the end has already passed', () => {
    const onElapsed = vi.fn();
    render(<ResetCountdown endsAt="2026-11-25T14:34:00.000Z" onElapsed={onElapsed} />);
    expect(clock()).toBe('00:00:00');
    expect(onElapsed).toHaveBeenCalledTimes(1);
  });

  it('has no countdown for a board that never resets', () => {
    const onElapsed = vi.fn();
    render(<ResetCountdown endsAt={null} onElapsed={onElapsed} />);
    expect(screen.getByText('Never resets.')).toBeTruthy();
    expect(screen.queryByRole('timer')).toBeNull();
    advance(86_400_000);
    expect(onElapsed).not.toHaveBeenCalled();
  });
});
