import { ForbiddenException, Injectable, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedUser } from '../common/current-user';
import { AuthGuard } from './auth.guard';

/** Routes under /api/admin/: 401 without a valid token (as AuthGuard), 403 for a player. */
@Injectable()
export class AdminGuard extends AuthGuard {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    await super.canActivate(context);
    const { user } = context.switchToHttp().getRequest<{ user: AuthenticatedUser }>();
    if (user.role !== 'admin') throw new ForbiddenException('This route is for admins only');
    return true;
  }
}
