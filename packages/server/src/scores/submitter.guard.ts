import {
  BadRequestException,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { ApiKeysService, type VerifiedApiKey } from '../api-keys/api-keys.service';
import { AuthGuard } from '../auth/auth.guard';

/** Who sends a score: a player for themselves, or a trusted server's API key for a player. */
export type Submitter =
  { kind: 'player'; userId: string } | { kind: 'api-key'; key: VerifiedApiKey };

type SubmitRequest = { headers: Record<string, string | undefined>; submitter?: Submitter };

/**
 * POST /api/scores takes a player's bearer token (401 when it is not valid; whether its account
 * still exists, 401, or is suspended, 403, ScoresService learns with the submission) or an
 * `X-Api-Key` with the scores:write scope (401 for a key that is unknown, wrong or revoked; 403
 * without the scope); both at once is a 400.
 */
@Injectable()
export class SubmitterGuard implements CanActivate {
  constructor(
    private readonly auth: AuthGuard,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<SubmitRequest>();
    request.submitter = await this.identify(request.headers);
    return true;
  }

  /** The submitter a request's headers name, or the refusal (see the class); lean-submit.ts too. */
  async identify(headers: SubmitRequest['headers']): Promise<Submitter> {
    const presented = headers['x-api-key'];
    if (presented === undefined) {
      return { kind: 'player', userId: this.auth.verify(headers.authorization).userId };
    }
    if (headers.authorization !== undefined) {
      throw new BadRequestException('Send an API key or a bearer token, not both');
    }
    const key = await this.apiKeys.verify(presented);
    if (!key) throw new UnauthorizedException('Invalid API key');
    if (!key.scopes.includes('scores:write')) {
      throw new ForbiddenException('This API key may not submit scores');
    }
    return { kind: 'api-key', key };
  }
}

/** The submitter SubmitterGuard admitted. */
export const CurrentSubmitter = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Submitter =>
    context.switchToHttp().getRequest<SubmitRequest>().submitter!,
);
