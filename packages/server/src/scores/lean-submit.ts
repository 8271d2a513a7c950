import { Logger as NestLogger } from '@nestjs/common';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { errorAnswer } from '../common/api-exception.filter';
import {
  answerMiddlewareErrors,
  explainBodyErrors,
  refuseHostileBodies,
  refuseUnreadableBodies,
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
 */
export function serveLeanSubmit(server: Server, app: Express, parts: LeanSubmitParts): void {
  const handler = leanSubmitHandler(parts);
  const appListeners = server.listeners('request') as Array<
    (req: IncomingMessage, res: ServerResponse) => void
  >;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && isLeanPath(req.url)) {
      // What Express does to every request before routing it (application.js, handle).
      const request = req as Request;
      const response = res as Response;
      request.res = response;
      response.req = request;
      Object.setPrototypeOf(req, app.request);
      Object.setPrototypeOf(res, app.response);
      response.locals = Object.create(null) as Record<string, unknown>;
      request.originalUrl = req.url!;
      handler(request, response, () => undefined);
      return;
    }
    for (const listener of appListeners) listener(req, res);
  });
}

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
  securityHeaders: RequestHandler;
  /** The JSON body parser the app uses (its limit included). */
  parseJson: RequestHandler;
};

type Step = (req: Request, res: Response, next: NextFunction) => void;

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
function leanSubmitHandler(parts: LeanSubmitParts): RequestHandler {
  const errors = new NestLogger('ApiExceptionFilter');
  const steps: Step[] = [refuseUnreadableBodies, parts.parseJson, refuseHostileBodies];

  const fail = (res: Response, exception: unknown) => {
    if (res.headersSent) return;
    const { body, headers } = errorAnswer(exception, errors);
    send(res, body.statusCode, body, headers);
  };

  const submit = async (req: Request, res: Response) => {
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
      res.locals.scoreId = body.id;
      send(res, 201, body, replayed ? { 'Idempotent-Replayed': 'true' } : undefined);
    } catch (exception) {
      fail(res, exception);
    }
  };

  return (req, res) => {
    observe(req, res, parts);
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
      if (!step) return void submit(req, res);
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

/** The request's log line and duration metric, once its answer is sent (pino-http's form). */
function observe(req: Request, res: Response, { logger, metrics }: LeanSubmitParts): void {
  const started = Date.now();
  const stopTimer = metrics.httpDuration.startTimer();
  const id = nextRequestId();
  (req as Request & { id: number }).id = id;
  res.once('finish', () => {
    const status = res.statusCode;
    stopTimer({ method: req.method, route: LEAN_SUBMIT_PATH, status: String(status) });
    const responseTime = Date.now() - started;
    const fields = {
      req: { id, method: req.method, url: req.originalUrl },
      res: { statusCode: status },
      responseTime,
      ...(res.locals.scoreId ? { scoreId: res.locals.scoreId as string } : {}),
    };
    if (status >= 500) {
      logger.error(
        { ...fields, err: new Error(`failed with status code ${status}`) },
        requestLogMessage(req.method, req.originalUrl, status, null),
      );
    } else {
      logger.info(fields, requestLogMessage(req.method, req.originalUrl, status, responseTime));
    }
  });
}

function send(
  res: Response,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
