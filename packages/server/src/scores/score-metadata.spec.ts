import { describe, expect, it } from 'vitest';
import { metadataProblem } from './score-metadata';

describe('metadataProblem', () => {
  it('accepts a small object nested four levels', () => {
    expect(metadataProblem({ level: 3, run: { a: { b: [1, 2] } } })).toBeNull();
    expect(metadataProblem({})).toBeNull();
  });

  it('refuses anything but an object', () => {
    for (const value of [null, 1, 'x', true, [1]]) {
      expect(metadataProblem(value)).toBe('metadata must be a JSON object');
    }
  });

  it('counts bytes of UTF-8, not characters', () => {
    expect(metadataProblem({ s: 'x'.repeat(1016) })).toBeNull(); // {"s":"…"} is 1,024 bytes
    expect(metadataProblem({ s: 'x'.repeat(1017) })).toBe('metadata must be at most 1024 bytes');
    expect(metadataProblem({ s: 'é'.repeat(600) })).toBe('metadata must be at most 1024 bytes');
  });

  it('refuses a fifth level, arrays included', () => {
    expect(metadataProblem({ a: { b: { c: { d: 1 } } } })).toBeNull();
    expect(metadataProblem({ a: { b: { c: { d: {} } } } })).toBe(
      'metadata must be nested at most 4 levels deep',
    );
    expect(metadataProblem({ a: [[[[1]]]] })).toBe('metadata must be nested at most 4 levels deep');
  });

  it('refuses keys that could reach a prototype, at any level', () => {
    const parsed = JSON.parse('{"a":{"__proto__":{"x":1}}}') as unknown;
    expect(metadataProblem(parsed)).toMatch(/must not use the keys/);
    expect(metadataProblem({ constructor: 1 })).toMatch(/must not use the keys/);
    expect(metadataProblem({ a: { prototype: 1 } })).toMatch(/must not use the keys/);
  });
});
