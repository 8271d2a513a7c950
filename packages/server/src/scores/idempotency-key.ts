import { BadRequestException } from '@nestjs/common';

/** 1 to 255 visible ASCII characters: no spaces, no control characters. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * The key may come in the body or in the Idempotency-Key header. Both present and different, or
 * neither, is a client error.
 */
export function resolveIdempotencyKey(
  fromBody: string | undefined,
  fromHeader: string | undefined,
): string {
  if (fromHeader !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(fromHeader)) {
    throw new BadRequestException(
      'Idempotency-Key header must be 1 to 255 visible ASCII characters',
    );
  }
  if (fromBody !== undefined && fromHeader !== undefined && fromBody !== fromHeader) {
    throw new BadRequestException('idempotency_key and the Idempotency-Key header differ');
  }
  const key = fromBody ?? fromHeader;
  if (key === undefined) {
    throw new BadRequestException(
      'idempotency_key is required (in the body or the Idempotency-Key header)',
    );
  }
  return key;
}
