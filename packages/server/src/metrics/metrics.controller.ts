import { Controller, Get, Header, Headers, UnauthorizedException } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Metrics } from './metrics.service';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Outside /api (the global prefix excludes it), where Prometheus looks by default. */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @Header('Content-Type', PROMETHEUS_CONTENT_TYPE)
  @ApiOperation({
    summary:
      'Prometheus metrics of this process (with API_PROCESSES above 1, of all its HTTP processes)',
  })
  @ApiBearerAuth('metrics-token')
  @ApiOkResponse({
    description: 'Prometheus text format',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @ApiUnauthorizedResponse({
    description: 'METRICS_TOKEN is set and the request does not carry it as a Bearer token',
  })
  scrape(@Headers('authorization') authorization: string | undefined): Promise<string> {
    if (!this.metrics.allows(authorization)) {
      throw new UnauthorizedException('GET /metrics requires the Bearer METRICS_TOKEN');
    }
    return this.metrics.render();
  }
}
