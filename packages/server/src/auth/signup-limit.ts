import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { sendError } from '../common/request-guards';
import { AppConfig } from '../config/app-config';
import { AttemptsRepository } from './attempts.repository';
import { clientAddressKey } from './client-address';

/**
 * SIGNUP_MAX_PER_HOUR signup requests per client address (IPv6 by /64) in any sliding hour,
 * whatever their answers (so a 409 cannot be used to test emails without limit); the next one is
 * answered 429 with Retry-After before its body is read. Counted in PostgreSQL, so shared by all
 * API instances. 0 turns it off.
 */
@Injectable()
export class SignupLimit {
  constructor(
    private readonly attempts: AttemptsRepository,
    private readonly config: AppConfig,
  ) {}

  /** Express middleware for POST /api/auth/signup, mounted before the body parser. */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    if (this.config.signupMaxPerHour === 0 || req.method !== 'POST') return next();
    this.attempts
      .takeSignup(clientAddressKey(req.ip), this.config.signupMaxPerHour)
      .then(({ allowed, retryAfterSeconds }) => {
        if (allowed) return next();
        res.setHeader('Connection', 'close');
        sendError(
          res,
          429,
          `Too many signups from this address; try again in ${retryAfterSeconds} seconds`,
          { 'Retry-After': String(retryAfterSeconds) },
        );
      })
      .catch(next);
  };
}
