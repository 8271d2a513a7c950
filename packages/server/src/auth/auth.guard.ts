import {
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { AuthenticatedUser } from '../common/current-user';
import type { TokenClaims } from './auth.service';

/** Admits requests with a valid HS256 bearer token and records its user on the request. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly jwt: JwtService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; user?: AuthenticatedUser }>();
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw new UnauthorizedException('Missing bearer token');
    }
    let claims: TokenClaims;
    try {
      // The algorithm is pinned in JwtModule's verifyOptions: "none" and others are refused.
      claims = await this.jwt.verifyAsync<TokenClaims>(token);
    } catch {
      throw new UnauthorizedException('Invalid or expired token');
    }
    if (typeof claims.sub !== 'string' || !/^\d{1,19}$/.test(claims.sub)) {
      throw new UnauthorizedException('Invalid or expired token');
    }
    request.user = { id: claims.sub };
    return true;
  }
}
