import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { resolveIdempotencyKey } from './idempotency-key';

describe('resolveIdempotencyKey', () => {
  it('takes the body key, the header key, or both when they agree', () => {
    expect(resolveIdempotencyKey('abc', undefined)).toBe('abc');
    expect(resolveIdempotencyKey(undefined, 'abc')).toBe('abc');
    expect(resolveIdempotencyKey('abc', 'abc')).toBe('abc');
  });

  it.each([
    [undefined, undefined, /required/],
    ['abc', 'abd', /differ/],
    [undefined, '', /header must be/],
    [undefined, 'a b', /header must be/],
    [undefined, 'x'.repeat(256), /header must be/],
    [undefined, 'caf\u00e9', /header must be/],
  ])('refuses body %j with header %j', (body, header, message) => {
    expect(() => resolveIdempotencyKey(body, header)).toThrow(BadRequestException);
    expect(() => resolveIdempotencyKey(body, header)).toThrow(message);
  });
});
