import type { INestApplication } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { json } from 'express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { AppModule } from './app.module';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { NestPinoLogger } from './common/logger';
import { SignupLimit } from './auth/signup-limit';
import {
  answerMiddlewareErrors,
  answerUnparsableRequests,
  BODY_LIMIT_BYTES,
  explainBodyErrors,
  limitRequestTime,
  refuseHostileBodies,
  refuseUnreadableBodies,
} from './common/request-guards';
import { createValidationPipe } from './common/validation';
import type { AppConfig } from './config/app-config';
import { httpMetricsMiddleware } from './metrics/http-metrics.middleware';
import { Metrics } from './metrics/metrics.service';
import { nextRequestId, requestLogMessage } from './common/request-log';
import { serveLeanSubmit } from './scores/lean-submit';
import { ScoresService } from './scores/scores.service';
import { SubmitterGuard } from './scores/submitter.guard';

/** The path a request named, before a mounted router rewrote `url`. */
const requestPath = (req: { url?: string; originalUrl?: string }) => req.originalUrl ?? req.url;

/** Builds the HTTP application (not yet listening): routes under /api, docs, client, errors. */
export async function createHttpApp(config: AppConfig, logger: Logger): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config),
    new ExpressAdapter(),
    { bodyParser: false, logger: new NestPinoLogger(logger) },
  );
  app.set('x-powered-by', false);
  app.set('trust proxy', config.trustProxy);
  const securityHeaders = helmet();
  const parseJson = json({ limit: BODY_LIMIT_BYTES });
  if (config.rateLimitPerMinute === 0) {
    // The hot route ahead of every layer below (see lean-submit.ts).
    serveLeanSubmit(app.getHttpServer(), {
      submitters: app.get(SubmitterGuard),
      scores: app.get(ScoresService),
      metrics: app.get(Metrics),
      logger,
      securityHeaders,
      parseJson,
    });
  }
  app.use(
    pinoHttp({
      logger,
      genReqId: (req) => (req as { id?: number }).id ?? nextRequestId(),
      autoLogging: { ignore: (req) => req.url?.startsWith('/api/health') ?? false },
      customSuccessMessage: (req, res, responseTime) =>
        requestLogMessage(req.method!, requestPath(req)!, res.statusCode, responseTime),
      customErrorMessage: (req, res) =>
        requestLogMessage(req.method!, requestPath(req)!, res.statusCode, null),
      // One short line per request; headers (tokens among them) stay out of the logs.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: requestPath(req),
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(httpMetricsMiddleware(app.get(Metrics)));
  app.use(securityHeaders);
  // Counted before the body is read, so a refused signup costs no parsing and no hashing.
  app.use('/api/auth/signup', app.get(SignupLimit).middleware);
  app.use(refuseUnreadableBodies);
  app.use(parseJson);
  app.use(explainBodyErrors);
  app.use(refuseHostileBodies);
  app.use(answerMiddlewareErrors);
  app.getHttpServer().on('clientError', answerUnparsableRequests);
  limitRequestTime(app.getHttpServer(), config.requestBodyTimeoutMs);
  app.setGlobalPrefix('api', { exclude: ['metrics'] });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter(app.get(HttpAdapterHost)));

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Scoreboard API')
      .setDescription('Idempotent score submission, exact per-user aggregates and leaderboards.')
      .setVersion('1')
      .addBearerAuth()
      .addBearerAuth(
        { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when it is set' },
        'metrics-token',
      )
      .addApiKey(
        {
          type: 'apiKey',
          in: 'header',
          name: 'X-Api-Key',
          description: 'A game server’s API key (POST /api/scores, with user_id)',
        },
        'api-key',
      )
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });

  await app.init();
  return app;
}
