import { Module, type DynamicModule } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuditApiModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { BoardsApiModule } from './boards/boards.module';
import { LifecycleModule } from './common/lifecycle';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { EventsModule } from './events/events.module';
import { LeaderboardModule, LeaderboardStoreModule } from './leaderboard/leaderboard.module';
import { LiveModule, UpdatesBusModule } from './live/live.module';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsModule } from './metrics/metrics.module';
import { ModerationModule } from './moderation/moderation.module';
import { HealthModule } from './ops/health.module';
import { ProcessingModule } from './processing/processing.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { RedisModule } from './redis/redis.module';
import { PeriodFinalizerModule, ResultsApiModule } from './results/results.module';
import { ScoresModule } from './scores/scores.module';
import { StatsModule } from './stats/stats.module';
import { WebhookDeliveryModule, WebhooksApiModule } from './webhooks/webhooks.module';

/** The built React client, served at / when it has been built. */
export const CLIENT_DIST = join(__dirname, '..', '..', 'client', 'dist');

/** What every role shares: configuration, database, Redis, metrics, transport, read models. */
function coreModules(config: AppConfig) {
  return [
    ConfigModule.forRoot(config),
    LifecycleModule,
    DatabaseModule.forRoot(config),
    RedisModule,
    MetricsModule,
    EventsModule,
    UpdatesBusModule,
    LeaderboardStoreModule,
  ];
}

/** The worker role's work: applying scores, finalizing periods, delivering webhooks. */
const workerModules = [ProcessingModule, PeriodFinalizerModule, WebhookDeliveryModule];

/** The HTTP application; with ROLE=all it runs the worker in the same process. */
@Module({ controllers: [MetricsController] })
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    const client = existsSync(join(CLIENT_DIST, 'index.html'))
      ? [
          ServeStaticModule.forRoot({
            rootPath: CLIENT_DIST,
            exclude: ['/api/{*path}', '/metrics'],
          }),
        ]
      : [];
    return {
      module: AppModule,
      imports: [
        ...coreModules(config),
        AuthModule,
        BoardsApiModule,
        ScoresModule,
        ApiKeysModule,
        ModerationModule,
        AuditApiModule,
        WebhooksApiModule,
        ResultsApiModule,
        StatsModule,
        LeaderboardModule,
        LiveModule,
        HealthModule,
        RateLimitModule.forRoot(config),
        ...(config.runsWorker ? workerModules : []),
        ...client,
      ],
    };
  }
}

/** The worker alone (ROLE=worker): an application context, no HTTP server. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: WorkerModule, imports: [...coreModules(config), ...workerModules] };
  }
}
