const MAX_ID = 2 ** 31 - 1;
let last = 0;

/**
 * The id of a request in this process's log lines (`req.id`): pino-http's numbering, shared with
 * the lean POST /api/scores so that no two requests of a process have one id.
 */
export function nextRequestId(): number {
  last = (last + 1) & MAX_ID;
  return last;
}

/**
 * A request's log message, for pino-http's lines and the lean POST /api/scores' alike:
 * `POST /api/scores 201 3 ms`, or `... 500 failed` for a server error.
 */
export function requestLogMessage(
  method: string,
  path: string,
  status: number,
  responseTimeMs: number | null,
): string {
  return responseTimeMs === null
    ? `${method} ${path} ${status} failed`
    : `${method} ${path} ${status} ${Math.round(responseTimeMs)} ms`;
}
