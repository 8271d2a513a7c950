import { Logger as NestLogger } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { errorAnswer } from '../common/api-exception.filter';
import {
  answerMiddlewareErrors,
  explainBodyErrors,
  refuseHostileBodies,
  refuseUnreadableBodies,
  sendJson,
} from '../common/request-guards';
import { nextRequestId, requestLogMessage } from '../common/request-log';
import type { Metrics } from '../metrics/metrics.service';
import { checkSubmitScore } from './dto/submit-score.validate';
import { resolveIdempotencyKey } from './idempotency-key';
import type { ScoresService } from './scores.service';
import type { SubmitterGuard } from './submitter.guard';

/** The path this handler serves, as the metrics name it (the Nest route's pattern). */
export const LEAN_SUBMIT_PATH = '/api/scores';

/**
 * Puts the lean POST /api/scores in front of the Express app on its HTTP server: a request for
 * exactly that path (a query string aside) goes to it, and every other request, other spellings
 * of the path included (a trailing slash, capitals), to the app as before, where Nest's own route
 * answers them the same way.
 *
 * The lean route's requests and answers stay Node's own objects: Express gives each of its
 * requests its methods by changing the objects' prototypes, which V8 answers by making every
 * later property access on them slow (measured: see docs/benchmarks.md).
 */
export function serveLeanSubmit(server: Server, parts: LeanSubmitParts): void {
  const handler = leanSubmitHandler(parts);
  const appListeners = server.listeners('request') as Listener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && isLeanPath(req.url)) return handler(req, res);
    for (const listener of appListeners) listener(req, res);
  });
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;
type Request = IncomingMessage & { body?: unknown };
type NextFunction = (error?: unknown) => void;
type Step = (req: Request, res: ServerResponse, next: NextFunction) => void;

function isLeanPath(url: string | undefined): boolean {
  return url === LEAN_SUBMIT_PATH || (url?.startsWith(`${LEAN_SUBMIT_PATH}?`) ?? false);
}

export type LeanSubmitParts = {
  submitters: SubmitterGuard;
  scores: ScoresService;
  metrics: Metrics;
  /** The process's logger: one line per request, as pino-http writes for every other route. */
  logger: Logger;
  /** The security headers every answer carries (helmet, as configured for the app). */
  securityHeaders: Step;
  /** The JSON body parser the app uses (its limit included). */
  parseJson: Step;
};

/**
 * POST /api/scores, the route that takes the load, ahead of the Express app (serveLeanSubmit): it
 * skips Express's router (a hop per middleware layer), the middleware chain and Nest's
 * per-request pipeline (guards, pipes, interceptors, the exception filter's context), and does
 * what they do for this route, in the same order, with the same code where it can:
 *
 * 1. the request log line at `info` (pino-http's fields and message) and the request-duration
 *    metric, when the answer is sent; helmet's headers;
 * 2. the body guards of request-guards.ts around the app's JSON parser (413, 415, 400 for JSON
 *    that does not parse, is nested too deep or holds a key that reaches a prototype);
 * 3. SubmitterGuard's check of the token (cached, see AuthGuard.verify) or API key: 400, 401, 403;
 * 4. the body against SubmitScoreDto, compiled (dto/submit-score.validate.ts, held equal to the
 *    ValidationPipe by its test): 400 with field errors;
 * 5. ScoresService.submit, as the controller calls it; errors in SPEC's shape through the same
 *    errorAnswer as ApiExceptionFilter.
 *
 * With RATE_LIMIT_PER_MINUTE set (a global guard of Nest's throttler) it is not installed and
 * the route goes through Nest, so that the limit counts it as before.
 */
function leanSubmitHandler(parts: LeanSubmitParts): Listener {
  const errors = new NestLogger('ApiExceptionFilter');
  const steps: Step[] = [refuseUnreadableBodies, parts.parseJson, refuseHostileBodies];

  const fail = (res: ServerResponse, exception: unknown) => {
    if (res.headersSent) return;
    const { body, headers } = errorAnswer(exception, errors);
    sendJson(res, body.statusCode, body, headers);
  };

  const submit = async (req: Request, res: ServerResponse, scoreId: { value?: string }) => {
    try {
      const headers = req.headers as Record<string, string | undefined>;
      const submitter = await parts.submitters.identify(headers);
      const dto = checkSubmitScore(req.body);
      const { body, replayed } = await parts.scores.submit(submitter, {
        value: dto.value,
        idempotencyKey: resolveIdempotencyKey(dto.idempotency_key, headers['idempotency-key']),
        boardId: dto.board,
        userId: dto.user_id,
        metadata: dto.metadata,
      });
      scoreId.value = body.id;
      sendJson(res, 201, body, replayed ? { 'Idempotent-Replayed': 'true' } : undefined);
    } catch (exception) {
      fail(res, exception);
    }
  };

  return (req, res) => {
    const scoreId = observe(req, res, parts);
    parts.securityHeaders(req, res, () => undefined);
    let index = 0;
    const next: NextFunction = (error?: unknown) => {
      if (error !== undefined && error !== null) {
        // The parser's failures in our words; anything else in SPEC's shape.
        explainBodyErrors(error as { type?: string }, req, res, (other?: unknown) =>
          answerMiddlewareErrors(other, req, res, () => undefined),
        );
        return;
      }
      const step = steps[index++];
      if (!step) return void submit(req, res, scoreId);
      // As Express's router does for each layer: what a step throws is answered, not lost.
      try {
        step(req, res, next);
      } catch (exception) {
        fail(res, exception);
      }
    };
    next();
  };
}

/**
 * The request's log line and duration metric, once its answer is sent (pino-http's form); the
 * line names the score the request stored or replayed, once the handler sets `value`.
 */
function observe(
  req: Request,
  res: ServerResponse,
  { logger, metrics }: LeanSubmitParts,
): { value?: string } {
  const scoreId: { value?: string } = {};
  const started = Date.now();
  const stopTimer = metrics.httpDuration.startTimer();
  const id = nextRequestId();
  const { method = 'POST', url = LEAN_SUBMIT_PATH } = req;
  res.once('finish', () => {
    const status = res.statusCode;
    stopTimer({ method, route: LEAN_SUBMIT_PATH, status: String(status) });
    const responseTime = Date.now() - started;
    const fields = {
      req: { id, method, url },
      res: { statusCode: status },
      responseTime,
      ...(scoreId.value ? { scoreId: scoreId.value } : {}),
    };
    if (status >= 500) {
      logger.error(
        { ...fields, err: new Error(`failed with status code ${status}`) },
        requestLogMessage(method, url, status, null),
      );
    } else {
      logger.info(fields, requestLogMessage(method, url, status, responseTime));
    }
  });
  return scoreId;
}
