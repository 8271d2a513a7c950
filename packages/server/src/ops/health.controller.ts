import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { RedisClients } from '../redis/redis-clients';

type Check = 'up' | 'down';
const CHECK_TIMEOUT_MS = 2000;

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: RedisClients,
  ) {}

  @Get('live')
  @ApiOkResponse({ description: 'The process runs' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HttpCode(200)
  @ApiOkResponse({
    description:
      'PostgreSQL answers and every migration is applied. Redis (when configured) is reported ' +
      'but does not make the process unready: accepting scores needs PostgreSQL alone',
  })
  @ApiServiceUnavailableResponse({ description: 'Names what failed' })
  async ready(): Promise<{ status: 'ok'; checks: Record<string, Check> }> {
    const [database, migrations, redis] = await Promise.all([
      probe(() => this.dataSource.query('SELECT 1')),
      probe(async () => {
        if (await this.dataSource.showMigrations()) throw new Error('pending migrations');
      }),
      this.redis.enabled ? probe(() => this.redis.commands.ping()) : undefined,
    ]);
    const checks: Record<string, Check> = { database, migrations, ...(redis ? { redis } : {}) };
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
