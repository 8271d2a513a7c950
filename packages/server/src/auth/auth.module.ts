import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { User } from '../users/user.entity';
import { UsersController } from '../users/users.controller';
import { UsersRepository } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { AdminGuard } from './admin.guard';
import { AttemptsRepository } from './attempts.repository';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { LoginThrottle } from './login-throttle';
import { PasswordHasher } from './password-hasher';
import { SignupLimit } from './signup-limit';

@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([User]),
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        // A key object built once: given the secret as a string, jsonwebtoken tries (and fails)
        // to read it as a public key on every call first, which made a verify ~40 times slower.
        const key = createSecretKey(Buffer.from(config.jwtSecret));
        return {
          secretOrKeyProvider: () => key,
          signOptions: { algorithm: 'HS256', expiresIn: config.jwtTtlSeconds },
          verifyOptions: { algorithms: ['HS256'] },
        };
      },
    }),
  ],
  controllers: [AuthController, UsersController],
  providers: [
    AuthService,
    AuthGuard,
    AdminGuard,
    AttemptsRepository,
    LoginThrottle,
    SignupLimit,
    PasswordHasher,
    UsersRepository,
    UsersService,
  ],
  exports: [AuthGuard, AdminGuard, JwtModule, UsersRepository, PasswordHasher],
})
export class AuthModule {}
