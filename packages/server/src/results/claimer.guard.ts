import {
  BadRequestException,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { AuthGuard } from '../auth/auth.guard';
import type { AuthenticatedUser } from '../common/current-user';

/** Who claims a reward: the player themselves, or a trusted server's API key for a player. */
export type Claimer = { kind: 'player'; userId: string } | { kind: 'api-key' };

type ClaimRequest = {
  headers: Record<string, string | undefined>;
  user?: AuthenticatedUser;
  claimer?: Claimer;
};

/**
 * POST /api/me/results/:id/claim takes a player's bearer token (as AuthGuard: 401, or 403 for a
 * suspended account) or an `X-Api-Key` with the scores:write scope, the key of the game server
 * that hands out rewards (401 for a key that is unknown, wrong or revoked; 403 without the
 * scope); both at once is a 400.
 */
@Injectable()
export class ClaimerGuard implements CanActivate {
  constructor(
    private readonly auth: AuthGuard,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ClaimRequest>();
    const presented = request.headers['x-api-key'];
    if (presented === undefined) {
      await this.auth.canActivate(context);
      request.claimer = { kind: 'player', userId: request.user!.id };
      return true;
    }
    if (request.headers.authorization !== undefined) {
      throw new BadRequestException('Send an API key or a bearer token, not both');
    }
    const key = await this.apiKeys.verify(presented);
    if (!key) throw new UnauthorizedException('Invalid API key');
    if (!key.scopes.includes('scores:write')) {
      throw new ForbiddenException('This API key may not act for players');
    }
    request.claimer = { kind: 'api-key' };
    return true;
  }
}

/** The claimer ClaimerGuard admitted. */
export const CurrentClaimer = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Claimer =>
    context.switchToHttp().getRequest<ClaimRequest>().claimer!,
);
