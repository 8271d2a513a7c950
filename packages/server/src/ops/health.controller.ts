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
    description: 'PostgreSQL (and Redis, if configured) answer and every migration is applied',
  })
  @ApiServiceUnavailableResponse({ description: 'Names what failed' })
  async ready(): Promise<{ status: 'ok'; checks: Record<string, Check> }> {
    const checks: Record<string, Check> = {
      database: await probe(() => this.dataSource.query('SELECT 1')),
      migrations: await probe(async () => {
        if (await this.dataSource.showMigrations()) throw new Error('pending migrations');
      }),
      ...(this.redis.enabled ? { redis: await probe(() => this.redis.commands.ping()) } : {}),
    };
    const failed = Object.keys(checks).filter((name) => checks[name] === 'down');
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
