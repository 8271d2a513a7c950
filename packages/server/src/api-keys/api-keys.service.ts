import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { BoardsService } from '../boards/boards.service';
import { ValidationFailed } from '../common/api-exception.filter';
import { ApiKeysRepository, type ApiKeyRow } from './api-keys.repository';
import type { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';

/** "sbk_<id>_<secret>": the id finds the row, the secret (256 random bits) proves the key. */
const KEY_FORMAT = /^sbk_(\d{1,18})_([A-Za-z0-9_-]{43})$/;

/** A key that verified: what it may do. */
export type VerifiedApiKey = Pick<ApiKeyRow, 'id' | 'scopes' | 'boards'>;

/** Used last_used_at is written at most this often per key and process. */
const TOUCH_EVERY_MS = 1000;

const hashOf = (secret: string) => createHash('sha256').update(secret).digest();

/**
 * API keys for trusted game servers (SPEC 2b). A key is shown once, when it is created; only the
 * SHA-256 of its secret is stored (a fast hash suffices for 256 random bits, unlike a password),
 * and a presented key is compared with it in constant time. Every request reads the key's row,
 * so a revocation holds from the next request on.
 */
@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);
  private readonly touchedAt = new Map<string, number>();

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly boards: BoardsService,
  ) {}

  async create(dto: CreateApiKeyDto, actorId: string): Promise<CreatedApiKeyDto> {
    const boards = dto.boards ?? null;
    if (boards) await this.assertBoardsExist(boards);
    const secret = randomBytes(32).toString('base64url');
    const row = await this.keys.create(
      { name: dto.name, scopes: dto.scopes, boards, keyHash: hashOf(secret) },
      actorId,
    );
    this.logger.log({ apiKeyId: row.id, actorId, boards }, 'API key created');
    return {
      id: row.id,
      name: row.name,
      scopes: row.scopes,
      boards: row.boards,
      key: `sbk_${row.id}_${secret}`,
      created_at: row.createdAt.toISOString(),
    };
  }

  async list(): Promise<ApiKeyDto[]> {
    return (await this.keys.list()).map(toDto);
  }

  async revoke(id: string, actorId: string): Promise<void> {
    const found = /^\d{1,18}$/.test(id) && (await this.keys.revoke(id, actorId));
    if (!found) throw new NotFoundException('API key not found');
    this.logger.log({ apiKeyId: id, actorId }, 'API key revoked');
  }

  /** The key's rights, or null for a key that is malformed, unknown, wrong or revoked. */
  async verify(presented: string): Promise<VerifiedApiKey | null> {
    const [, id, secret] = KEY_FORMAT.exec(presented) ?? [];
    if (!id || !secret) return null;
    const row = await this.keys.forVerification(id);
    if (!row || !timingSafeEqual(row.keyHash, hashOf(secret)) || row.revokedAt) return null;
    await this.touch(id);
    return { id: row.id, scopes: row.scopes, boards: row.boards };
  }

  /** Keeps last_used_at to the second without writing the row on every request. */
  private async touch(id: string): Promise<void> {
    const now = Date.now();
    if (now - (this.touchedAt.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    this.touchedAt.set(id, now);
    await this.keys.touch(id);
  }

  private async assertBoardsExist(ids: string[]): Promise<void> {
    const known = new Set((await this.boards.list()).map((board) => board.id));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new ValidationFailed([
        { field: 'boards', message: `boards names no such board: ${unknown.join(', ')}` },
      ]);
    }
  }
}

function toDto(row: ApiKeyRow): ApiKeyDto {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    boards: row.boards,
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    revoked_at: row.revokedAt?.toISOString() ?? null,
  };
}
