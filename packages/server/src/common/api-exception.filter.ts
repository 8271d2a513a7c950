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

export type FieldError = { field: string; message: string };
export type ApiErrorBody = {
  statusCode: number;
  error: string;
  message: string;
  errors?: FieldError[];
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
 * one readable string. Anything that is not an HttpException is a 500 and is logged.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const context = host.switchToHttp();
    const body = toErrorBody(exception);
    if (!(exception instanceof HttpException)) {
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      );
    }
    const response = context.getResponse();
    if (exception instanceof HttpException) {
      const retryAfter = (exception.getResponse() as { retryAfterSeconds?: number })
        .retryAfterSeconds;
      if (retryAfter !== undefined)
        httpAdapter.setHeader(response, 'Retry-After', String(retryAfter));
    }
    httpAdapter.reply(response, body, body.statusCode);
  }
}

export function toErrorBody(exception: unknown): ApiErrorBody {
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const response = exception.getResponse();
    const error = STATUS_CODES[statusCode] ?? 'Error';
    if (typeof response === 'string') return { statusCode, error, message: response };
    const { message, errors } = response as { message?: unknown; errors?: FieldError[] };
    const text =
      statusCode === HttpStatus.PAYLOAD_TOO_LARGE
        ? 'Request body is larger than 16 KiB'
        : Array.isArray(message)
          ? message.join('; ')
          : typeof message === 'string'
            ? message
            : error;
    return errors
      ? { statusCode, error, message: text, errors }
      : { statusCode, error, message: text };
  }
  return { statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' };
}
