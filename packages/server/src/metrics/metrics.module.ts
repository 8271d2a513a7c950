import { Global, Module } from '@nestjs/common';
import { BacklogRepository } from './backlog.repository';
import { Metrics } from './metrics.service';

@Global()
@Module({ providers: [Metrics, BacklogRepository], exports: [Metrics] })
export class MetricsModule {}
