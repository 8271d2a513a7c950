/**
 * Every failure is either transient (the same work succeeds if tried again later: retry it, and
 * never count it against the work) or permanent (the work itself is at fault: count the attempt,
 * and park the work after the last one). This is the one place that decides which.
 */
export type TransientClass =
  | 'deadlock'
  | 'serialization'
  | 'lock_timeout'
  | 'statement_timeout'
  | 'connection'
  | 'database_unavailable'
  | 'redis';

export type FailureClass = TransientClass | 'permanent';

/** SQLSTATE codes (PostgreSQL appendix A) that say "try again", not "this is wrong". */
const TRANSIENT_SQLSTATES: Record<string, TransientClass> = {
  '40P01': 'deadlock',
  '40001': 'serialization',
  '55P03': 'lock_timeout',
  '57014': 'statement_timeout',
  '25P03': 'connection', // idle_in_transaction_session_timeout ended the session
  '57P01': 'database_unavailable', // admin_shutdown: the server is stopping
  '57P02': 'database_unavailable', // crash_shutdown
  '57P03': 'database_unavailable', // cannot_connect_now: the server is starting
  '53000': 'database_unavailable', // insufficient_resources
  '53100': 'database_unavailable', // disk_full
  '53200': 'database_unavailable', // out_of_memory
  '53300': 'database_unavailable', // too_many_connections
};

/** Socket errors: the peer is unreachable or went away. */
const CONNECTION_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** What the pg driver and its pool say when a connection is lost, refused or not to be had. */
const CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /is not queryable$/,
  /^Query read timeout/,
  /^Driver not Connected/,
];

/** What ioredis says while Redis is unreachable, loading or failing over. */
const REDIS_MESSAGES = [
  /^Connection is closed/,
  /^Stream isn't writeable/,
  /^Command timed out/,
  /^Reached the max retries per request limit/,
  /^(LOADING|BUSY|READONLY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN)\b/,
  // A Redis Cluster's client while it finds, or loses, the cluster's nodes.
  /^Cluster isn't ready and enableOfflineQueue options is false/,
  /^None of startup nodes is available/,
  /^Failed to refresh slots cache/,
  /^Cluster is disconnect/,
  /^Too many Cluster redirections/,
];

export function failureClass(error: unknown): FailureClass {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; depth++) {
    const found = ownClass(cause);
    if (found) return found;
    // TypeORM wraps the driver's error (QueryFailedError.driverError); others use `cause`.
    cause = (cause as { driverError?: unknown }).driverError ?? cause.cause;
  }
  return 'permanent';
}

export function isTransient(error: unknown): boolean {
  return failureClass(error) !== 'permanent';
}

/** A transient failure on PostgreSQL's side: a request that met it answers 503. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const found = failureClass(error);
  return found !== 'permanent' && found !== 'redis';
}

function ownClass(error: Error): TransientClass | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (TRANSIENT_SQLSTATES[code]) return TRANSIENT_SQLSTATES[code];
    if (code.startsWith('08')) return 'connection'; // connection_exception class
    if (CONNECTION_ERRNOS.has(code)) return 'connection';
  }
  if (error.name === 'MaxRetriesPerRequestError') return 'redis';
  if (REDIS_MESSAGES.some((pattern) => pattern.test(error.message))) return 'redis';
  if (CONNECTION_MESSAGES.some((pattern) => pattern.test(error.message))) return 'connection';
  return undefined;
}
