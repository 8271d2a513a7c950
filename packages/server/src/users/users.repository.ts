import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { User } from './user.entity';

export class EmailTakenError extends Error {}

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /** Inserts the user; the case-insensitive unique index decides races between equal emails. */
  async create(email: string, passwordHash: string, displayName: string): Promise<User> {
    try {
      const [row] = await this.users.query(
        `INSERT INTO users (email, password_hash, display_name) VALUES ($1, $2, $3)
         RETURNING id, email, display_name, created_at`,
        [email, passwordHash, displayName],
      );
      return toUser(row);
    } catch (error) {
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { code?: string }).code === UNIQUE_VIOLATION
      ) {
        throw new EmailTakenError(email);
      }
      throw error;
    }
  }

  async findWithPasswordHash(email: string): Promise<User | null> {
    const [row] = await this.users.query(
      `SELECT id, email, display_name, created_at, password_hash FROM users WHERE lower(email) = lower($1)`,
      [email],
    );
    return row ? { ...toUser(row), passwordHash: row.password_hash } : null;
  }

  async exists(id: string): Promise<boolean> {
    const rows: unknown[] = await this.users.query('SELECT 1 FROM users WHERE id = $1', [id]);
    return rows.length > 0;
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }
}

type UserRow = { id: string; email: string; display_name: string; created_at: Date };

function toUser(row: UserRow): User {
  return Object.assign(new User(), {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    createdAt: row.created_at,
  });
}
