import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { ReadReplica } from '../database/read-replica';
import { RedisClients } from '../redis/redis-clients';

type Check = 'up' | 'down';
const CHECK_TIMEOUT_MS = 2000;

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: RedisClients,
    private readonly replica: ReadReplica,
  ) {}

  @Get('live')
  @ApiOkResponse({
    description: 'The process runs; pid says which process answered (with API_PROCESSES above 1)',
  })
  live(): { status: 'ok'; pid: number } {
    return { status: 'ok', pid: process.pid };
  }

  @Get('ready')
  @HttpCode(200)
  @ApiOkResponse({
    description:
      'PostgreSQL answers and every migration is applied. Redis (when configured) is reported ' +
      'but does not make the process unready: accepting scores needs PostgreSQL alone. So is ' +
      'the read replica (database_read, when DATABASE_READ_URL is set): reads fall back to the ' +
      'primary without it',
  })
  @ApiServiceUnavailableResponse({ description: 'Names what failed' })
  async ready(): Promise<{ status: 'ok'; checks: Record<string, Check> }> {
    const [database, migrations, redis, databaseRead] = await Promise.all([
      probe(() => this.dataSource.query('SELECT 1')),
      probe(async () => {
        if (await this.dataSource.showMigrations()) throw new Error('pending migrations');
      }),
      this.redis.enabled ? probe(() => this.redis.commands.ping()) : undefined,
      this.replica.configured ? probe(() => this.replica.ping()) : undefined,
    ]);
    const checks: Record<string, Check> = {
      database,
      migrations,
      ...(redis ? { redis } : {}),
      ...(databaseRead ? { database_read: databaseRead } : {}),
    };
    const failed = ['database', 'migrations'].filter((name) => checks[name] === 'down');
    if (failed.length > 0) {
      throw new ServiceUnavailableException({
        message: `Not ready: ${failed.join(', ')} down`,
        checks,
      });
    }
    return { status: 'ok', checks };
  }
}

async function probe(check: () => Promise<unknown>): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}
