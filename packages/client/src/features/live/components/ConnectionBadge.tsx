import type { LiveStatus } from '../useLiveUpdates';

const label: Record<LiveStatus, string> = {
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/** Whether what the dashboard shows is kept current by the live stream, as the stream is now. */
export function ConnectionBadge({ status }: { status: LiveStatus }) {
  return (
    <span className={`live ${status === 'live' ? 'on' : 'off'} ${status}`} role="status">
      {label[status]}
    </span>
  );
}
