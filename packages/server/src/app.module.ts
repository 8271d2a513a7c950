import { Module, type DynamicModule } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AuthModule } from './auth/auth.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './ops/health.module';
import { ScoresModule } from './scores/scores.module';

/** The built React client, served at / when it has been built. */
export const CLIENT_DIST = join(__dirname, '..', '..', 'client', 'dist');

@Module({})
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
        ConfigModule.forRoot(config),
        DatabaseModule,
        AuthModule,
        ScoresModule,
        HealthModule,
        ...client,
      ],
    };
  }
}
