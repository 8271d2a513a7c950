import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AppConfig } from '../config/app-config';

@ApiTags('operations')
@Controller('config')
export class PublicConfigController {
  constructor(private readonly config: AppConfig) {}

  @Get()
  @ApiOkResponse({ description: 'The allowed score range, for clients to show' })
  get(): { score_min: number; score_max: number } {
    return { score_min: this.config.scoreMin, score_max: this.config.scoreMax };
  }
}
