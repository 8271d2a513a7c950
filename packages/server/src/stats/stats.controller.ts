import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthGuard } from '../auth/auth.guard';
import { CurrentUser, type AuthenticatedUser } from '../common/current-user';
import { HighScoreDto, StatsDto } from './dto/stats.dto';
import { StatsService } from './stats.service';

@ApiTags('me')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('me')
export class StatsController {
  constructor(private readonly service: StatsService) {}

  @Get('high-score')
  @ApiOkResponse({ type: HighScoreDto })
  highScore(@CurrentUser() user: AuthenticatedUser): Promise<HighScoreDto> {
    return this.service.highScore(user.id);
  }

  @Get('stats')
  @ApiOkResponse({ type: StatsDto })
  stats(@CurrentUser() user: AuthenticatedUser): Promise<StatsDto> {
    return this.service.stats(user.id);
  }
}
