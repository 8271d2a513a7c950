/**
 * The HTTP floor of bench/accept.ts (its `http-floor` configuration): Node.js's own HTTP server
 * answering POST /api/scores with the bytes the product sends (the JSON body read and parsed; a
 * 201 with helmet's headers, the content type and a body of the same shape) and doing nothing
 * else: no token check, no database, no Redis, no log line, no metric. What one Node.js HTTP
 * process costs per request on the machine it runs on, whatever it does besides; the product's
 * CPU per request above it is what its own work costs.
 *
 * It also answers what the bench asks of a deployment before the load: readiness and signup
 * (a constant token, which it never checks).
 */
import helmet from 'helmet';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** helmet's headers as the product's answers carry them (they do not depend on the request). */
function securityHeaders(): string[] {
  const recorded = new Map<string, string>();
  const response = {
    setHeader: (name: string, value: string) => recorded.set(name, value),
    removeHeader: (name: string) => recorded.delete(name),
  };
  helmet()({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return [...recorded].flat();
}

const HEADERS = [...securityHeaders(), 'Content-Type', 'application/json; charset=utf-8'];

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, [...HEADERS, 'Content-Length', String(Buffer.byteLength(text))]);
  res.end(text);
}

function readJson(req: IncomingMessage, then: (body: Record<string, unknown>) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => then(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
}

let nextId = 1;

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/api/health/ready') {
    return answer(res, 200, { status: 'ready' });
  }
  if (req.method === 'POST' && req.url === '/api/auth/signup') {
    return readJson(req, () => answer(res, 201, { access_token: 'floor', user: { id: '1' } }));
  }
  if (req.method === 'POST' && req.url === '/api/scores') {
    return readJson(req, (body) =>
      answer(res, 201, {
        id: String(nextId++),
        value: body.value,
        created_at: new Date().toISOString(),
        message: 'Score submitted successfully',
      }),
    );
  }
  answer(res, 404, { statusCode: 404, error: 'Not Found', message: 'Not found' });
});

server.listen(Number(process.env.PORT), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
