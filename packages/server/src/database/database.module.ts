import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { getDataSourceToken, InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { connectWhenReachable, dataSourceOptions, runMigrations } from './data-source';
import { ReadReplica } from './read-replica';

/** The pool of background work (worker, sweeper, leaderboard upkeep). */
const BACKGROUND = 'background';
export const InjectBackgroundDataSource = () => InjectDataSource(BACKGROUND);

/**
 * The database pools. The default DataSource serves HTTP requests; background work injects its
 * own (`InjectBackgroundDataSource`). With ROLE=all they are two pools, so that a busy worker
 * cannot take the connections requests wait for (and the other way round); a process with one
 * role has one pool, which both names refer to. ReadReplica is the optional pool of a replica
 * (DATABASE_READ_URL), for public reads alone.
 */
@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig): DynamicModule {
    const url = () => {
      if (!config.databaseUrl) throw new Error('DATABASE_URL is not resolved');
      return config.databaseUrl;
    };
    const separateBackgroundPool = config.runsApi && config.runsWorker;
    const background: Provider = {
      provide: getDataSourceToken(BACKGROUND),
      useExisting: getDataSourceToken(),
    };
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions(url(), config.database),
          // Every process applies pending migrations before it serves anything.
          dataSourceFactory: async (options) => {
            await runMigrations(url());
            return connectWhenReachable(options!);
          },
        }),
        ...(separateBackgroundPool
          ? [
              TypeOrmModule.forRootAsync({
                name: BACKGROUND,
                useFactory: () =>
                  dataSourceOptions(url(), {
                    ...config.database,
                    poolSize: config.backgroundPoolSize,
                  }),
                dataSourceFactory: async (options) => connectWhenReachable(options!),
              }),
            ]
          : []),
      ],
      providers: [ReadReplica, ...(separateBackgroundPool ? [] : [background])],
      exports: [ReadReplica, ...(separateBackgroundPool ? [] : [background])],
    };
  }
}
