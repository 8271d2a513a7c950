import {
  ConflictException,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import type { User } from '../users/user.entity';
import { EmailTakenError, UsersRepository } from '../users/users.repository';
import type { AuthResponseDto } from './dto/auth-response.dto';
import type { LoginDto } from './dto/login.dto';
import type { SignupDto } from './dto/signup.dto';
import { ACCOUNT_SUSPENDED } from './auth.guard';
import { LoginThrottle } from './login-throttle';
import { PasswordHasher } from './password-hasher';

export type TokenClaims = { sub: string };

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  async signup(dto: SignupDto): Promise<AuthResponseDto> {
    const hash = await this.hasher.hash(dto.password);
    // The default name is random so that it never reveals the email.
    const displayName = dto.display_name ?? `player-${randomBytes(3).toString('hex')}`;
    try {
      return this.issueToken(await this.users.create(dto.email, hash, displayName));
    } catch (error) {
      if (error instanceof EmailTakenError)
        throw new ConflictException('Email is already registered');
      throw error;
    }
  }

  /**
   * Unknown email and wrong password get the same 401; repeated failures get 429. The attempt is
   * reserved before the password is checked (see LoginThrottle). The right password of a
   * suspended account gets 403: only who knows it learns of the suspension.
   */
  async login(dto: LoginDto, clientAddress: string | undefined): Promise<AuthResponseDto> {
    const keys = LoginThrottle.keys(dto.email, clientAddress);
    await this.throttle.reserve(keys);
    const user = await this.users.findWithPasswordHash(dto.email);
    const valid = await this.hasher.verify(user?.passwordHash, dto.password);
    if (!user || !valid) throw new UnauthorizedException('Invalid credentials');
    await this.throttle.succeeded(keys);
    if (user.bannedAt) throw new ForbiddenException(ACCOUNT_SUSPENDED);
    return this.issueToken(user);
  }

  private async issueToken(user: User): Promise<AuthResponseDto> {
    const claims: TokenClaims = { sub: user.id };
    return {
      access_token: await this.jwt.signAsync(claims),
      token_type: 'Bearer',
      expires_in: this.config.jwtTtlSeconds,
      user: { id: user.id, email: user.email, display_name: user.displayName },
    };
  }
}
