import { useEffect, useEffectEvent, useState } from 'react';
import { formatRemaining } from '../format-remaining';

/**
 * The time left until the board's current period ends, ticking each second (on the seconds of
 * the end itself, so that it reaches 00:00:00 at the reset). Calls `onElapsed` once when an end
 * is reached (or has already passed), for the caller to fetch the new period. A board that never
 * resets has no countdown.
 */
export function ResetCountdown({
  endsAt,
  onElapsed,
}: {
  endsAt: string | null;
  onElapsed: () => void;
}) {
  const end = endsAt === null ? null : Date.parse(endsAt);
  const [now, setNow] = useState(() => Date.now());
  const elapsed = useEffectEvent(onElapsed);

  useEffect(() => {
    if (end === null) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = () => {
      const current = Date.now();
      setNow(current);
      if (current >= end) {
        elapsed();
        return;
      }
      timer = setTimeout(tick, (end - current) % 1000 || 1000);
    };
    tick();
    return () => clearTimeout(timer);
  }, [end]);

  if (end === null) return <p className="countdown">Never resets.</p>;
  return (
    <p className="countdown">
      Next reset in{' '}
      <span role="timer" aria-label="Time until the next reset" className="clock">
        {formatRemaining(end - now)}
      </span>
    </p>
  );
}
