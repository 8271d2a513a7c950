import { Body, Controller, Delete, Get, Header, HttpCode, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { OwnDataGuard } from '../auth/auth.guard';
import { CurrentUser, type AuthenticatedUser } from '../common/current-user';
import { DeleteAccountDto } from './dto/moderation.dto';
import { PrivacyService } from './privacy.service';

@ApiTags('me')
@ApiBearerAuth()
// A suspended user may still export and delete their own data.
@UseGuards(OwnDataGuard)
@Controller('me')
export class PrivacyController {
  constructor(private readonly privacy: PrivacyService) {}

  @Get('export')
  @Header('Content-Disposition', 'attachment; filename="scoreboard-export.json"')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({
    description: 'All the caller’s data: the account, every score with its status, standings',
  })
  export(@CurrentUser() user: AuthenticatedUser) {
    return this.privacy.export(user.id);
  }

  @Delete()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The account and all its data are deleted' })
  @ApiForbiddenResponse({ description: 'Invalid password' })
  delete(@CurrentUser() user: AuthenticatedUser, @Body() dto: DeleteAccountDto): Promise<void> {
    return this.privacy.deleteOwnAccount(user.id, dto.password);
  }
}
