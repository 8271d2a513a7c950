import type { LoggerService } from '@nestjs/common';
import pino, { type Level, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { AppConfig } from '../config/app-config';

type LogOutput = NodeJS.WritableStream & { isTTY?: boolean };

/**
 * The process's one logger. JSON lines (for a log collector) unless they go to a person: with
 * LOG_FORMAT=auto, a terminal outside production gets one readable line per entry, its fields
 * beside the message.
 */
export function createLogger(
  config: Pick<AppConfig, 'logLevel' | 'logFormat' | 'nodeEnv'> &
    Partial<Pick<AppConfig, 'apiProcesses'>>,
  output: LogOutput = process.stdout,
): Logger {
  const options = { level: config.logLevel, base: { pid: process.pid } };
  if (!readable(config, output)) return pino(options, output);
  return pino(
    options,
    pretty({
      destination: output,
      sync: true,
      colorize: output.isTTY === true,
      singleLine: true,
      translateTime: 'SYS:HH:MM:ss.l',
      // A request's line says its method, path, status and time in its message already.
      ignore: 'pid,hostname,context,req,res,responseTime',
      // Several processes write to one terminal: say which wrote each line.
      messageFormat: `${(config.apiProcesses ?? 1) > 1 ? '[{pid}] ' : ''}{if context}{context}: {end}{msg}`,
    }),
  );
}

function readable(
  { logFormat, nodeEnv }: Pick<AppConfig, 'logFormat' | 'nodeEnv'>,
  output: LogOutput,
): boolean {
  if (logFormat !== 'auto') return logFormat === 'pretty';
  return output.isTTY === true && nodeEnv !== 'production';
}

/** Nest's own start-up chatter (a line per module and per route): kept for LOG_LEVEL=debug. */
const START_UP_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/**
 * Routes every Nest `Logger` call into the one pino logger. Calls may carry fields, pino style:
 * `logger.warn({ scoreId, err }, 'Score failed')` writes those fields beside the message and the
 * logger's context; Nest's own calls (`log(message, context)`, `error(message, stack, context)`)
 * keep working.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]) {
    const context = params.at(-1);
    const startUp = typeof context === 'string' && START_UP_CONTEXTS.has(context);
    this.write(startUp ? 'debug' : 'info', message, params);
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
