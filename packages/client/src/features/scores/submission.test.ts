import { describe, expect, it } from 'vitest';
import { submissionFor } from './submission';

const keys = () => {
  let n = 0;
  return () => `key-${++n}`;
};

describe('submissionFor', () => {
  it('makes a fresh key for a first submission', () => {
    expect(submissionFor(null, 42, keys())).toEqual({ key: 'key-1', value: 42 });
  });

  it('reuses the unconfirmed submission’s key for the same value (retry, double-click)', () => {
    const first = submissionFor(null, 42, keys());
    expect(submissionFor(first, 42, keys())).toBe(first);
  });

  it('makes a new key when the value changed', () => {
    const newKey = keys();
    const first = submissionFor(null, 42, newKey);
    expect(submissionFor(first, 43, newKey)).toEqual({ key: 'key-2', value: 43 });
  });

  it('uses crypto.randomUUID by default', () => {
    expect(submissionFor(null, 1).key).toMatch(/^[0-9a-f-]{36}$/);
  });
});
