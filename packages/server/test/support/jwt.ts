import { createHmac } from 'node:crypto';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Builds a JWT by hand, so tests can forge the ones a server must refuse. */
export function forgeToken(
  claims: Record<string, unknown>,
  options: { secret: string; alg?: 'HS256' | 'HS384' | 'HS512' | 'none' },
): string {
  const alg = options.alg ?? 'HS256';
  const unsigned = `${encode({ alg, typ: 'JWT' })}.${encode(claims)}`;
  if (alg === 'none') return `${unsigned}.`;
  const hash = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg];
  return `${unsigned}.${createHmac(hash, options.secret).update(unsigned).digest('base64url')}`;
}
