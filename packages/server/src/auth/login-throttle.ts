import {
  HttpException,
  HttpStatus,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { BackgroundLoop } from '../common/background-loop';
import { AppConfig } from '../config/app-config';
import { AttemptsRepository } from './attempts.repository';
import { clientAddressKey } from './client-address';

const PURGE_EVERY_MS = 5 * 60_000;

export type LoginKeys = { account: string; address: string };

/**
 * LOGIN_MAX_FAILURES failed logins per account, and separately per client address, in a window of
 * 15 minutes; then 429 until the window ends. An attempt is reserved (counted as a failure) before
 * its password is checked, in one atomic statement, so N parallel guesses check at most
 * LOGIN_MAX_FAILURES passwords; a success then clears the account's count and returns the
 * address's reservation. Ended windows are purged in the background.
 */
@Injectable()
export class LoginThrottle implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LoginThrottle.name);
  private readonly purge: BackgroundLoop;

  constructor(
    private readonly attempts: AttemptsRepository,
    private readonly config: AppConfig,
  ) {
    this.purge = new BackgroundLoop(
      'attempts-purge',
      async () => {
        const purged = await this.attempts.purgeExpired(this.config.loginWindowSeconds);
        if (purged > 0) this.logger.debug({ purged }, 'Purged ended attempt windows');
        return 'idle';
      },
      { idleMs: PURGE_EVERY_MS, maxBackoffMs: PURGE_EVERY_MS },
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    this.purge.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.purge.stop();
  }

  static keys(email: string, address: string | undefined): LoginKeys {
    return {
      account: `account:${email.toLowerCase()}`,
      address: `address:${clientAddressKey(address)}`,
    };
  }

  /** Reserves the attempt, or refuses with 429 and Retry-After when a key has none left. */
  async reserve(keys: LoginKeys): Promise<void> {
    const reservations = await this.attempts.reserveLoginAttempt(
      [keys.account, keys.address],
      this.config.loginWindowSeconds,
    );
    const exhausted = reservations.filter((r) => r.failures > this.config.loginMaxFailures);
    if (exhausted.length === 0) return;
    const retryAfter = Math.max(1, ...exhausted.map((r) => r.retryAfterSeconds));
    throw new HttpException(
      {
        message: `Too many failed login attempts; try again in ${retryAfter} seconds`,
        retryAfterSeconds: retryAfter,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }

  async succeeded(keys: LoginKeys): Promise<void> {
    await this.attempts.loginSucceeded(keys.account, keys.address);
  }
}
