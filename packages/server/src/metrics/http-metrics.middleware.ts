import type { NextFunction, Request, Response } from 'express';
import type { Metrics } from './metrics.service';

/** Times every request; the route is the matched pattern (/api/me/scores/:id), not the raw URL. */
export function httpMetricsMiddleware(metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction) => {
    const stop = metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      stop({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
