import { describe, expect, it } from 'vitest';
import { credentialProblems } from './credential-problems';

describe('credentialProblems', () => {
  it('finds none in a well-formed email and password', () => {
    expect(credentialProblems('signup', 'me@example.com', 'correct horse')).toEqual({});
    expect(credentialProblems('login', ' me@example.com ', 'short')).toEqual({});
  });

  it('asks for a missing email and password', () => {
    expect(credentialProblems('login', ' ', '')).toEqual({
      email: 'Enter your email address.',
      password: 'Enter your password.',
    });
  });

  it('refuses an email without an @ and, when signing up, a password of the wrong length', () => {
    expect(credentialProblems('signup', 'me.example.com', 'seven77')).toEqual({
      email: 'Enter an email address such as name@example.com.',
      password: 'Use 8 to 128 characters.',
    });
    expect(credentialProblems('signup', 'me@example.com', 'x'.repeat(129)).password).toBe(
      'Use 8 to 128 characters.',
    );
  });
});
