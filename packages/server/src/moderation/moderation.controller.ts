import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { AdminGuard } from '../auth/admin.guard';
import { CurrentUser, type AuthenticatedUser } from '../common/current-user';
import {
  AdminScorePageDto,
  AdminScoresQuery,
  AdminUserDto,
  AdminUserPageDto,
  OptionalReasonDto,
  ReasonDto,
  UserSearchQuery,
} from './dto/moderation.dto';
import { ModerationService } from './moderation.service';

@ApiTags('admin')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'The caller is not an admin' })
@UseGuards(AdminGuard)
@Controller('admin/users')
export class AdminUsersController {
  constructor(private readonly moderation: ModerationService) {}

  @Get()
  @ApiOkResponse({ type: AdminUserPageDto, description: 'Newest first' })
  search(@Query() query: UserSearchQuery): Promise<AdminUserPageDto> {
    return this.moderation.searchUsers(query.query, query.limit, query.cursor);
  }

  @Post(':id/ban')
  @HttpCode(200)
  @ApiOkResponse({
    type: AdminUserDto,
    description: 'Suspended: the account answers 403, its standings leave every leaderboard',
  })
  @ApiNotFoundResponse({ description: 'User not found' })
  @ApiBadRequestResponse({ description: 'No reason, or the caller’s own account' })
  ban(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('id') id: string,
    @Body() dto: ReasonDto,
  ): Promise<AdminUserDto> {
    return this.moderation.ban(id, admin.id, dto.reason);
  }

  @Post(':id/unban')
  @HttpCode(200)
  @ApiOkResponse({ type: AdminUserDto, description: 'The standings are ranked again' })
  @ApiNotFoundResponse({ description: 'User not found' })
  unban(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('id') id: string,
    @Body() dto: OptionalReasonDto,
  ): Promise<AdminUserDto> {
    return this.moderation.unban(id, admin.id, dto.reason ?? null);
  }

  @Get(':id/scores')
  @ApiOkResponse({ type: AdminScorePageDto, description: 'Newest first, removed ones included' })
  @ApiNotFoundResponse({ description: 'User not found' })
  scores(@Param('id') id: string, @Query() query: AdminScoresQuery): Promise<AdminScorePageDto> {
    return this.moderation.scoresOf(id, query.limit, query.cursor, query.board);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The account and all its data are deleted' })
  @ApiNotFoundResponse({ description: 'User not found' })
  delete(@CurrentUser() admin: AuthenticatedUser, @Param('id') id: string): Promise<void> {
    return this.moderation.deleteUser(id, admin.id);
  }
}

@ApiTags('admin')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'The caller is not an admin' })
@UseGuards(AdminGuard)
@Controller('admin/scores')
export class AdminScoresController {
  constructor(private readonly moderation: ModerationService) {}

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({
    description: 'Removed (kept, with the reason); its standing is recomputed exactly',
  })
  @ApiNotFoundResponse({ description: 'Score not found' })
  remove(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('id') id: string,
    @Body() dto: ReasonDto,
  ): Promise<void> {
    return this.moderation.removeScore(id, admin.id, dto.reason);
  }
}
