import { Injectable, UnauthorizedException } from '@nestjs/common';
import type { MeDto } from '../auth/dto/auth-response.dto';
import { UpdatesBus } from '../live/updates-bus';
import type { User } from './user.entity';
import { UsersRepository } from './users.repository';

/** The caller's own account. */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly updates: UpdatesBus,
  ) {}

  async me(userId: string): Promise<MeDto> {
    const user = await this.users.findById(userId);
    // A valid token for a user that no longer exists is as good as no token.
    if (!user) throw new UnauthorizedException('Invalid or expired token');
    return toMe(user);
  }

  /**
   * A new display name. Leaderboards read names at each request, so every board and period shows
   * it from now on; the live streams of the boards where the player stands get their top 10 again.
   */
  async rename(userId: string, displayName: string): Promise<MeDto> {
    const renamed = await this.users.rename(userId, displayName);
    if (!renamed) throw new UnauthorizedException('Invalid or expired token');
    await Promise.all(
      renamed.boards.map((boardId) =>
        this.updates.publishBestEffort({ type: 'leaderboard', boardId }),
      ),
    );
    return toMe(renamed.user);
  }
}

function toMe(user: User): MeDto {
  return {
    id: user.id,
    email: user.email,
    display_name: user.displayName,
    role: user.role,
    created_at: user.createdAt.toISOString(),
  };
}
