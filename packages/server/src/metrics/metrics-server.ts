import { createServer, STATUS_CODES, type ServerResponse, type Server } from 'node:http';
import { PROMETHEUS_CONTENT_TYPE } from './metrics.controller';
import type { Metrics } from './metrics.service';

/**
 * GET /metrics for a process without the HTTP API (ROLE=worker), on METRICS_PORT, behind
 * METRICS_TOKEN when it is set. Anything else is a 404.
 */
export function serveMetrics(metrics: Metrics, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      return refuse(res, 404, 'Only GET /metrics is served here');
    }
    if (!metrics.allows(req.headers.authorization)) {
      return refuse(res, 401, 'GET /metrics requires the Bearer METRICS_TOKEN');
    }
    metrics.render().then(
      (text) => res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(text),
      () => refuse(res, 503, 'Metrics are unavailable; try again shortly'),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve(server));
  });
}

/** An answer in the API's error shape. */
function refuse(res: ServerResponse, statusCode: number, message: string): void {
  res
    .writeHead(statusCode, { 'content-type': 'application/json' })
    .end(JSON.stringify({ statusCode, error: STATUS_CODES[statusCode], message }));
}
