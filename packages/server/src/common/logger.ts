import type { LoggerService } from '@nestjs/common';
import pino, { type Level, type Logger } from 'pino';
import type { AppConfig } from '../config/app-config';

export function createLogger(config: Pick<AppConfig, 'logLevel'>): Logger {
  return pino({ level: config.logLevel, base: { pid: process.pid } });
}

/**
 * Routes every Nest `Logger` call into the one pino logger. Calls may carry fields, pino style:
 * `logger.warn({ scoreId, err }, 'Score failed')` writes those fields beside the message and the
 * logger's context; Nest's own calls (`log(message, context)`, `error(message, stack, context)`)
 * keep working.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]) {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]) {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    // A Logger with a context appends it as the last parameter.
    const rest = [...params];
    const context = typeof rest.at(-1) === 'string' && rest.length > 0 ? rest.pop() : undefined;
    const text = typeof rest[0] === 'string' ? rest[0] : undefined;
    if (isFields(message)) {
      this.logger[level]({ context, ...message }, text);
    } else if (message instanceof Error) {
      this.logger[level]({ context, err: message }, text ?? message.message);
    } else {
      // Nest's error(message, stack, context): the stack comes as the first parameter.
      const trace = level === 'error' ? text : undefined;
      this.logger[level]({ context, trace }, String(message));
    }
  }
}

function isFields(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
  );
}
