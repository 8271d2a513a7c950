import { STATUS_CODES } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import typeis from 'type-is';
import {
  DATABASE_RETRY_AFTER_SECONDS,
  toErrorBody,
  type ApiErrorBody,
} from './api-exception.filter';

/**
 * Express middleware that refuses hostile or malformed requests before they reach the JSON parser
 * or class-transformer, each with SPEC's error shape and a message of ours (never a parser's or a
 * library's own text). They use Node's own request and response only, not Express's additions,
 * so that the lean POST /api/scores (lean-submit.ts) runs them on requests Express never saw.
 */

type NextFunction = (error?: unknown) => void;
/** A request after the JSON parser: `body` is what it parsed. */
type ParsedRequest = IncomingMessage & { body?: unknown };

export const BODY_LIMIT_BYTES = 16 * 1024;
const BODY_LIMIT_TEXT = 'Request body is larger than 16 KiB';
/** Deeper than any body the API takes; deep enough to be harmless, shallow enough to walk. */
export const MAX_BODY_DEPTH = 16;
/** Keys that would reach an object's prototype when assigned; never a field of the API. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Answers `body` as JSON with `status` and `headers` (beside those already set). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  for (const name in headers) res.setHeader(name, headers[name]!);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export function sendError(
  res: ServerResponse,
  statusCode: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body: ApiErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
  sendJson(res, statusCode, body, headers);
}

/**
 * A body is refused from its headers alone, before a byte of it is read: too large by its
 * Content-Length (413), or not JSON (415).
 */
export function refuseUnreadableBodies(
  req: IncomingMessage,
  res: ServerResponse,
  next: NextFunction,
): void {
  const length = req.headers['content-length'];
  if (length !== undefined && Number(length) > BODY_LIMIT_BYTES) {
    // Nothing more will be read: the connection closes after the answer.
    res.setHeader('Connection', 'close');
    return sendError(res, 413, BODY_LIMIT_TEXT);
  }
  const hasBody = (length !== undefined && length !== '0') || req.headers['transfer-encoding'];
  if (hasBody && !typeis(req, ['application/json'])) {
    return sendError(res, 415, 'Content-Type must be application/json');
  }
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    // Bodies are small; compressed ones would only add decompression bombs and their errors.
    return sendError(res, 415, 'Request bodies must not be compressed (Content-Encoding)');
  }
  next();
}

/** The JSON parser's failures (after it read the body), in our words. */
export function explainBodyErrors(
  error: { type?: string; status?: number },
  _req: IncomingMessage,
  res: ServerResponse,
  next: NextFunction,
): void {
  switch (error.type) {
    case 'entity.parse.failed':
      return sendError(res, 400, 'Request body is not valid JSON');
    case 'entity.too.large':
      res.setHeader('Connection', 'close');
      return sendError(res, 413, BODY_LIMIT_TEXT);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return sendError(res, 415, 'Request body must be JSON in UTF-8');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return sendError(res, 400, 'Request body could not be read');
    default:
      return next(error);
  }
}

/**
 * Walks the parsed body without recursion and refuses, with 400: nesting deeper than
 * MAX_BODY_DEPTH (class-transformer would overflow its stack), keys that reach a prototype, and
 * text that is not valid Unicode or holds NUL (PostgreSQL refuses both).
 */
export function refuseHostileBodies(
  req: ParsedRequest,
  res: ServerResponse,
  next: NextFunction,
): void {
  const problem = hostileBodyProblem(req.body);
  if (problem) return sendError(res, 400, problem);
  next();
}

/** What refuseHostileBodies refuses a parsed body for, if anything. */
export function hostileBodyProblem(body: unknown): string | undefined {
  const pending: Array<{ value: unknown; path: string; depth: number }> = [
    { value: body, path: '', depth: 0 },
  ];
  while (pending.length > 0) {
    const { value, path, depth } = pending.pop()!;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) return `${path || 'body'} ${problem}`;
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_BODY_DEPTH) return `Request body is nested deeper than ${MAX_BODY_DEPTH}`;
    for (const [key, child] of Object.entries(value)) {
      const at = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (!Array.isArray(value)) {
        if (FORBIDDEN_KEYS.has(key)) return `${at} is not an allowed field`;
        const problem = textProblem(key);
        if (problem) return `A field name ${problem}`;
      }
      pending.push({ value: child, path: at, depth: depth + 1 });
    }
  }
  return undefined;
}

/** Why a string cannot be stored as text, if it cannot. */
export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  // With the u flag a well-formed pair is one code point: only a lone half matches.
  if (/\p{Cs}/u.test(text)) return 'must be valid Unicode (it has a lone surrogate)';
  return undefined;
}

/**
 * The last word on errors raised by the middleware above (before Nest's own filter applies): the
 * same shape and classes as ApiExceptionFilter (503 with Retry-After for an unavailable database).
 */
export function answerMiddlewareErrors(
  error: unknown,
  _req: IncomingMessage,
  res: ServerResponse,
  _next: NextFunction,
): void {
  const body = toErrorBody(error);
  const retry = body.statusCode === 503 ? String(DATABASE_RETRY_AFTER_SECONDS) : undefined;
  sendJson(res, body.statusCode, body, retry ? { 'Retry-After': retry } : {});
}

/**
 * Requests that Node's HTTP parser refuses before any route sees them (headers over its limit,
 * bytes that are not HTTP) are answered in the error shape too, then the connection is closed.
 */
export function answerUnparsableRequests(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const [statusCode, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request headers are larger than the server accepts']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'The request took too long to arrive']
        : [400, 'The request is not valid HTTP'];
  const body = JSON.stringify({ statusCode, error: STATUS_CODES[statusCode], message });
  socket.end(
    `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * A request must have arrived whole (headers and body) within `timeoutMs`: one trickled a byte at
 * a time is answered 408 (by answerUnparsableRequests) instead of holding its connection for
 * Node's default five minutes. Node checks its connections every `connectionsCheckingInterval`
 * (30 s by default, read when the server starts listening), so the check runs more often here.
 */
export function limitRequestTime(server: Server, timeoutMs: number): void {
  server.requestTimeout = timeoutMs;
  server.headersTimeout = Math.min(server.headersTimeout, timeoutMs);
  // Not in @types/node, but a property of every http.Server since Node 18.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
    Math.min(1000, Math.ceil(timeoutMs / 4));
}
