import { Injectable } from '@nestjs/common';
import argon2 from 'argon2';

/** argon2id with the OWASP Password Storage Cheat Sheet's first option: 19 MiB, 2 passes. */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

@Injectable()
export class PasswordHasher {
  /** Verified against when the email is unknown, so both refusals take the same time. */
  private readonly decoy = argon2.hash('decoy password that matches nothing', OPTIONS);

  hash(password: string): Promise<string> {
    return argon2.hash(password, OPTIONS);
  }

  async verify(hash: string | undefined, password: string): Promise<boolean> {
    return argon2.verify(hash ?? (await this.decoy), password);
  }
}
