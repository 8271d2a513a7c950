import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { User } from '../users/user.entity';
import { UsersController } from '../users/users.controller';
import { UsersRepository } from '../users/users.repository';
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
      useFactory: (config: AppConfig) => ({
        secret: config.jwtSecret,
        signOptions: { algorithm: 'HS256', expiresIn: config.jwtTtlSeconds },
        verifyOptions: { algorithms: ['HS256'] },
      }),
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
  ],
  exports: [AuthGuard, AdminGuard, JwtModule, UsersRepository, PasswordHasher],
})
export class AuthModule {}
