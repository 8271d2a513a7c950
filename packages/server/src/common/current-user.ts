import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

export type Role = 'player' | 'admin';

export type AuthenticatedUser = {
  id: string;
  role: Role;
  /** When the request's token expires, in milliseconds since the epoch (live streams end then). */
  tokenExpiresAt: number;
};

/** The user that AuthGuard found in the request's bearer token. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedUser =>
    context.switchToHttp().getRequest<{ user: AuthenticatedUser }>().user,
);
