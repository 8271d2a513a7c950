import { Module } from '@nestjs/common';
import { PublicConfigController } from './config.controller';
import { HealthController } from './health.controller';

@Module({ controllers: [HealthController, PublicConfigController] })
export class HealthModule {}
