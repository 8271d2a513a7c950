import { Controller, Get, UnauthorizedException, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthGuard } from '../auth/auth.guard';
import { MeDto } from '../auth/dto/auth-response.dto';
import { CurrentUser, type AuthenticatedUser } from '../common/current-user';
import { UsersRepository } from './users.repository';

@ApiTags('me')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('me')
export class UsersController {
  constructor(private readonly users: UsersRepository) {}

  @Get()
  @ApiOkResponse({ type: MeDto })
  async me(@CurrentUser() caller: AuthenticatedUser): Promise<MeDto> {
    const user = await this.users.findById(caller.id);
    // A valid token for a user that no longer exists is as good as no token.
    if (!user) throw new UnauthorizedException('Invalid or expired token');
    return {
      id: user.id,
      email: user.email,
      display_name: user.displayName,
      role: user.role,
      created_at: user.createdAt.toISOString(),
    };
  }
}
