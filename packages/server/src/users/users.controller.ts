import { Body, Controller, Get, Patch, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthGuard } from '../auth/auth.guard';
import { MeDto } from '../auth/dto/auth-response.dto';
import { UpdateMeDto } from '../auth/dto/signup.dto';
import { CurrentUser, type AuthenticatedUser } from '../common/current-user';
import { UsersService } from './users.service';

@ApiTags('me')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('me')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOkResponse({ type: MeDto })
  me(@CurrentUser() caller: AuthenticatedUser): Promise<MeDto> {
    return this.users.me(caller.id);
  }

  @Patch()
  @ApiOkResponse({ type: MeDto, description: 'The account with its new display name' })
  update(@CurrentUser() caller: AuthenticatedUser, @Body() dto: UpdateMeDto): Promise<MeDto> {
    return this.users.rename(caller.id, dto.display_name);
  }
}
