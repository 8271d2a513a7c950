import { createServer, type Server } from 'node:http';
import { PROMETHEUS_CONTENT_TYPE } from './metrics.controller';
import type { Metrics } from './metrics.service';

/**
 * GET /metrics for a process without the HTTP API (ROLE=worker), on METRICS_PORT. Anything else
 * is a 404.
 */
export function serveMetrics(metrics: Metrics, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (
      req.method === 'GET' &&
      req.url === '/metrics' &&
      !metrics.allows(req.headers.authorization)
    ) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          statusCode: 401,
          error: 'Unauthorized',
          message: 'GET /metrics requires the Bearer METRICS_TOKEN',
        }),
      );
      return;
    }
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          statusCode: 404,
          error: 'Not Found',
          message: 'Only GET /metrics is served here',
        }),
      );
      return;
    }
    metrics.render().then(
      (text) => res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(text),
      () => res.writeHead(503, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve(server));
  });
}
