import { Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { AppConfig } from '../config/app-config';
import { hostOf, isPublicAddress, RefusedAddressError } from './webhook-address';

/** Read at most this much of an answer: only its status counts. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * What one attempt came to: `delivered` (a 2xx), `retry` (any other answer, no answer in time, a
 * connection that failed: the receiver may be back later) or `refused` (the URL resolves to an
 * address webhooks may not reach: permanent, never retried).
 */
export type AttemptOutcome =
  | { kind: 'delivered'; statusCode: number }
  | { kind: 'retry'; statusCode: number | null; error: string }
  | { kind: 'refused'; error: string };

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const digest = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${digest}`;
}

/**
 * Sends one signed POST. Redirects are not followed (a 3xx is an answer that is not 2xx); the
 * whole attempt, connection and answer, is bounded by WEBHOOK_TIMEOUT_MS; each address the name
 * resolves to is checked on the connection's own lookup, so the address connected to is the one
 * that was checked. A new connection per attempt (no pool): nothing is shared between endpoints.
 */
@Injectable()
export class WebhookSender {
  constructor(private readonly config: AppConfig) {}

  send(
    url: string,
    secret: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<AttemptOutcome> {
    const { allowPrivate, timeoutMs } = this.config.webhooks;
    const target = new URL(url);
    const host = hostOf(target);
    if (isIP(host) && !allowPrivate && !isPublicAddress(host)) {
      return Promise.resolve({
        kind: 'refused',
        error: `${host} is a loopback, private, link-local or reserved address`,
      });
    }
    const unixSeconds = Math.floor(Date.now() / 1000);
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: AttemptOutcome) => {
        if (settled) return;
        settled = true;
        resolve(outcome);
      };
      const request = (target.protocol === 'https:' ? https : http).request(
        target,
        {
          method: 'POST',
          agent: false,
          lookup: checkedLookup(allowPrivate),
          signal: AbortSignal.timeout(timeoutMs),
          headers: {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
            'user-agent': 'Scoreboard-Webhooks/1',
            'scoreboard-signature': signatureHeader(secret, body, unixSeconds),
            ...headers,
          },
        },
        (response) => {
          // The status is the answer; the body is read (at most MAX_ANSWER_BYTES) and dropped.
          const statusCode = response.statusCode ?? 0;
          settle(
            statusCode >= 200 && statusCode < 300
              ? { kind: 'delivered', statusCode }
              : { kind: 'retry', statusCode, error: `answered ${statusCode}` },
          );
          let read = 0;
          response.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_ANSWER_BYTES) request.destroy();
          });
          response.on('end', () => request.destroy());
          response.on('error', () => request.destroy());
        },
      );
      request.on('error', (error: Error) => {
        const refused =
          error instanceof RefusedAddressError || error.cause instanceof RefusedAddressError;
        if (refused) {
          settle({
            kind: 'refused',
            error: (error.cause as Error | undefined)?.message ?? error.message,
          });
        } else {
          const timedOut = error.name === 'AbortError' || error.name === 'TimeoutError';
          settle({
            kind: 'retry',
            statusCode: null,
            error: timedOut ? `no answer within ${timeoutMs} ms` : error.message,
          });
        }
      });
      request.end(body);
    });
  }
}

/** dns.lookup that fails with RefusedAddressError when any address is not public. */
function checkedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refused = allowPrivate
        ? undefined
        : addresses.find((entry) => !isPublicAddress(entry.address));
      if (refused) {
        const message = `${hostname} resolves to ${refused.address}, a loopback, private, link-local or reserved address`;
        return callback(
          Object.assign(new RefusedAddressError(message), { code: 'EREFUSEDADDRESS' }),
          '',
          0,
        );
      }
      if (options.all) return (callback as unknown as AllCallback)(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

type AllCallback = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;
