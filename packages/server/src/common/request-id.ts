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
