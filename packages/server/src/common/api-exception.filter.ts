import {
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { STATUS_CODES } from 'node:http';
import { failureClass, isDatabaseUnavailable } from './failure-class';

/** What a client that met an unreachable or too slow database is told to wait before retrying. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

export type FieldError = { field: string; message: string };
export type ApiErrorBody = {
  statusCode: number;
  error: string;
  message: string;
  errors?: FieldError[];
  /** Readiness: the state of each dependency. */
  checks?: Record<string, string>;
};

/** Any thrown HttpException whose response carries field errors keeps them in the answer. */
export class ValidationFailed extends HttpException {
  constructor(readonly errors: FieldError[]) {
    super(
      {
        statusCode: HttpStatus.BAD_REQUEST,
        error: 'Bad Request',
        message: errors.map((e) => e.message).join('; '),
        errors,
      },
      HttpStatus.BAD_REQUEST,
    );
  }
}

/**
 * Every error leaves the API in one shape: { statusCode, error, message, errors? }, with `message`
 * one readable string. A transient database failure (unreachable, restarting, too slow: see
 * failure-class.ts) is a 503 with Retry-After; anything else that is not an HttpException is a 500
 * and is logged.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const response = host.switchToHttp().getResponse();
    const { body, headers } = errorAnswer(exception, this.logger);
    for (const [name, value] of Object.entries(headers))
      httpAdapter.setHeader(response, name, value);
    httpAdapter.reply(response, body, body.statusCode);
  }
}

/**
 * The answer to a failed request, for ApiExceptionFilter and the lean POST /api/scores alike:
 * the body in SPEC's shape and its headers (JSON whatever the route answers otherwise, e.g. GET
 * /metrics' Prometheus text; Retry-After for an unavailable database or an exception that says
 * when to come back). An unavailable database is logged as a warning, anything unexpected as an
 * error.
 */
export function errorAnswer(
  exception: unknown,
  logger: Pick<Logger, 'warn' | 'error'>,
): { body: ApiErrorBody; headers: Record<string, string> } {
  const body = toErrorBody(exception);
  const headers: Record<string, string> = {};
  if (exception instanceof HttpException) {
    const retryAfter = (exception.getResponse() as { retryAfterSeconds?: number })
      .retryAfterSeconds;
    if (retryAfter !== undefined) headers['Retry-After'] = String(retryAfter);
  } else if (body.statusCode === HttpStatus.SERVICE_UNAVAILABLE) {
    logger.warn({ err: exception, failureClass: failureClass(exception) }, 'Database unavailable');
    headers['Retry-After'] = String(DATABASE_RETRY_AFTER_SECONDS);
  } else {
    logger.error({ err: exception }, 'Unhandled error');
  }
  headers['Content-Type'] = 'application/json; charset=utf-8';
  return { body, headers };
}

export function toErrorBody(exception: unknown): ApiErrorBody {
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const response = exception.getResponse();
    const error = STATUS_CODES[statusCode] ?? 'Error';
    if (typeof response === 'string') return { statusCode, error, message: response };
    const { message, errors, checks } = response as {
      message?: unknown;
      errors?: FieldError[];
      checks?: Record<string, string>;
    };
    const text = ourWords(
      statusCode,
      Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : error,
    );
    return {
      statusCode,
      error,
      message: text,
      ...(errors ? { errors } : {}),
      ...(checks ? { checks } : {}),
    };
  }
  if (exception instanceof URIError) {
    return { statusCode: 400, error: 'Bad Request', message: ourWords(400, exception.message) };
  }
  if (isDatabaseUnavailable(exception)) {
    return {
      statusCode: HttpStatus.SERVICE_UNAVAILABLE,
      error: 'Service Unavailable',
      message: 'The database is unavailable or too slow; try again shortly',
    };
  }
  return { statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' };
}

/**
 * Messages that come from the framework rather than from us, replaced by ours: they would repeat
 * the raw URL (any bytes a client sent) or name library internals.
 */
function ourWords(statusCode: number, message: string): string {
  if (statusCode === HttpStatus.PAYLOAD_TOO_LARGE) return 'Request body is larger than 16 KiB';
  if (statusCode === HttpStatus.NOT_FOUND && /^Cannot [A-Z]+ /.test(message)) {
    return 'No such route (check the path and the method)';
  }
  if (/^Failed to decode param/.test(message)) {
    return 'The URL is not valid: a percent-encoded part does not decode';
  }
  return message;
}
