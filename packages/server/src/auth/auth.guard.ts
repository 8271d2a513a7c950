import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { AuthenticatedUser } from '../common/current-user';
import { UsersRepository } from '../users/users.repository';
import type { TokenClaims } from './auth.service';

/** The largest bigint: a larger `sub` cannot name a user and must not reach SQL. */
const MAX_USER_ID = 2n ** 63n - 1n;

export const ACCOUNT_SUSPENDED = 'Account suspended';

/** How long a verified token is taken on trust before it is verified again (never past exp). */
export const VERIFIED_TOKEN_TTL_MS = 60_000;
/** The most tokens remembered at once: the oldest go first. */
const VERIFIED_TOKENS_MAX = 10_000;

type Verified = { userId: string; expiresAt: number; until: number };

/**
 * Tokens verified lately, keyed by the whole token: its signature and claims need no second HMAC
 * within VERIFIED_TOKEN_TTL_MS (or before it expires, if sooner). Only the token's own checks
 * are remembered: whether its account still exists and is not suspended is asked on every
 * request (canActivate here; the submission's statement for POST /api/scores), so a deleted or
 * banned account is refused on its next request all the same.
 */
class VerifiedTokens {
  private readonly byToken = new Map<string, Verified>();

  get(token: string, now: number): Verified | undefined {
    const verified = this.byToken.get(token);
    if (verified && verified.until > now) return verified;
    if (verified) this.byToken.delete(token);
    return undefined;
  }

  set(token: string, verified: Verified): void {
    if (this.byToken.size >= VERIFIED_TOKENS_MAX) {
      // A Map iterates in insertion order: the first key is the oldest entry.
      this.byToken.delete(this.byToken.keys().next().value!);
    }
    this.byToken.set(token, verified);
  }
}

/**
 * Admits requests with a valid HS256 bearer token (signed by us, unexpired, with an `exp`) whose
 * user still exists and is not suspended (403), and records that user, with their role as it is
 * now, on the request.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  /** Whether a suspended user is let through too (see OwnDataGuard). */
  protected readonly admitsSuspended: boolean = false;
  private readonly verified = new VerifiedTokens();

  constructor(
    private readonly jwt: JwtService,
    private readonly users: UsersRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; user?: AuthenticatedUser }>();
    const token = this.verify(request.headers.authorization);
    const access = await this.users.access(token.userId);
    if (!access) throw new UnauthorizedException('Invalid or expired token');
    if (access.suspended && !this.admitsSuspended) throw new ForbiddenException(ACCOUNT_SUSPENDED);
    request.user = { id: token.userId, role: access.role, tokenExpiresAt: token.expiresAt };
    return true;
  }

  /**
   * The user a bearer token names, if it is ours, unexpired and has an `exp` (401 otherwise),
   * without asking whether the user still exists or is suspended: a caller that does not go on
   * to canActivate's check must make it itself (see SubmitterGuard).
   */
  verify(authorization: string | undefined): { userId: string; expiresAt: number } {
    const [scheme, token] = (authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw new UnauthorizedException('Missing bearer token');
    }
    const now = Date.now();
    const known = this.verified.get(token, now);
    if (known) return { userId: known.userId, expiresAt: known.expiresAt };
    let claims: TokenClaims;
    try {
      // The algorithm is pinned in JwtModule's verifyOptions: "none" and others are refused.
      claims = this.jwt.verify<TokenClaims>(token);
    } catch {
      throw new UnauthorizedException('Invalid or expired token');
    }
    const { sub, exp } = claims as { sub?: unknown; exp?: unknown };
    const valid =
      typeof exp === 'number' &&
      typeof sub === 'string' &&
      /^\d{1,19}$/.test(sub) &&
      BigInt(sub) <= MAX_USER_ID;
    if (!valid) throw new UnauthorizedException('Invalid or expired token');
    const verified = { userId: sub as string, expiresAt: (exp as number) * 1000 };
    this.verified.set(token, {
      ...verified,
      until: Math.min(now + VERIFIED_TOKEN_TTL_MS, verified.expiresAt),
    });
    return verified;
  }
}

/**
 * AuthGuard for the routes of a user's own data (export, deletion), which a suspended user may
 * use too: privacy outranks a ban.
 */
@Injectable()
export class OwnDataGuard extends AuthGuard {
  protected override readonly admitsSuspended = true;
}
