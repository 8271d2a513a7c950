import { Agent, request, type IncomingHttpHeaders } from 'node:http';

/**
 * One HTTP request exactly as it goes on the wire: the path is sent as given (invalid
 * percent-encoding and raw bytes 0x80-0xff included), header values are byte strings (latin1, so
 * UTF-8 text arrives as its bytes), and a header may repeat. fetch would normalise all of this.
 */
export type WireRequest = {
  method: string;
  path: string;
  headers: Array<[name: string, value: string]>;
  body?: Buffer;
  /** Sends the body with Transfer-Encoding: chunked instead of a Content-Length. */
  chunked?: boolean;
};

export type WireResponse = {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The answer was an event stream, closed by us as soon as its headers arrived. */
  stream: boolean;
};

/** What no answer is read past: enough for any page of this API. */
const MAX_RESPONSE_BYTES = 1024 * 1024;
const TIMEOUT_MS = 20_000;

/** One connection at a time, kept alive between requests as a real client would. */
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

export function closeWireAgent(): void {
  agent.destroy();
}

/**
 * Sends the request and reads the answer. Rejects when no answer could be read (connection reset
 * before a status line, timeout): callers decide whether that is acceptable.
 */
export function sendWire(baseUrl: string, wire: WireRequest): Promise<WireResponse> {
  const { hostname, port, host } = new URL(baseUrl);
  // Headers as a list are sent as they are: Node adds no Host then.
  const headers: string[] = ['host', host, ...wire.headers.flat()];
  if (wire.body !== undefined) {
    if (wire.chunked) headers.push('transfer-encoding', 'chunked');
    else headers.push('content-length', String(wire.body.length));
  }
  return new Promise<WireResponse>((resolve, reject) => {
    const req = request(
      { agent, hostname, port, method: wire.method, path: wire.path, headers },
      (res) => {
        const stream = /text\/event-stream/i.test(res.headers['content-type'] ?? '');
        if (stream) {
          // An open SSE stream never ends by itself: take the status and hang up.
          res.destroy();
          req.destroy();
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.alloc(0), stream });
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            res.destroy(new Error(`answer larger than ${MAX_RESPONSE_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            body: Buffer.concat(chunks),
            stream,
          }),
        );
      },
    );
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`no answer in ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    if (wire.body !== undefined && wire.chunked) {
      // Several chunks, so that a limit has to be enforced while reading.
      for (let at = 0; at < wire.body.length; at += 4096)
        req.write(wire.body.subarray(at, at + 4096));
      req.end();
    } else {
      req.end(wire.body);
    }
  });
}
