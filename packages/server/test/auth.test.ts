import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { forgeToken } from './support/jwt';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app';

let app: TestApp;
let api: ApiClient;

beforeAll(async () => {
  app = await startTestApp('auth', { LOGIN_MAX_FAILURES: '3' });
  api = new ApiClient(app.baseUrl);
});
afterAll(() => app.close());

const now = () => Math.floor(Date.now() / 1000);

describe('POST /api/auth/signup', () => {
  it('creates the user and answers with a bearer token that opens /api/me', async () => {
    const signup = await api.request('POST', '/api/auth/signup', {
      body: { email: 'Ada@Example.com', password: 'correct horse battery', display_name: 'Ada' },
    });
    expect(signup.status).toBe(201);
    expect(signup.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 86_400,
      user: { email: 'Ada@Example.com', display_name: 'Ada' },
    });
    const me = await api.request('GET', '/api/me', { token: signup.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      id: signup.body.user.id,
      email: 'Ada@Example.com',
      display_name: 'Ada',
      role: 'player',
      created_at: expect.any(String),
    });
  });

  it('stores the password as an argon2id hash, never in clear', async () => {
    const { email, password } = await api.signup();
    const [row] = await app.sql<{ password_hash: string }>(
      'SELECT password_hash FROM users WHERE email = $1',
      [email],
    );
    expect(row!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(row!.password_hash).not.toContain(password);
  });

  it('derives a default display name that does not reveal the email', async () => {
    const { user, email } = await api.signup({ email: 'grace.hopper@example.com' });
    expect(user.display_name).toMatch(/^player-[0-9a-f]{6}$/);
    expect(user.display_name).not.toContain(email.split('@')[0]);
  });

  it('answers 409 when the email is taken, whatever its case', async () => {
    await api.signup({ email: 'taken@example.com' });
    const again = await api.request('POST', '/api/auth/signup', {
      body: { email: 'TAKEN@example.com', password: 'another password' },
    });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'Email is already registered',
    });
  });

  it.each([
    ['a bad email', { email: 'not-an-email', password: 'correct horse' }, 'email'],
    ['a missing email', { password: 'correct horse' }, 'email'],
    ['a short password', { email: 'short@example.com', password: 'short' }, 'password'],
    ['a long password', { email: 'long@example.com', password: 'x'.repeat(129) }, 'password'],
    ['a non-string password', { email: 'num@example.com', password: 12345678 }, 'password'],
    [
      'an empty display name',
      { email: 'e@example.com', password: 'correct horse', display_name: '' },
      'display_name',
    ],
    [
      'a display name over 32 characters',
      { email: 'f@example.com', password: 'correct horse', display_name: 'x'.repeat(33) },
      'display_name',
    ],
    [
      'a display name with control characters',
      { email: 'g@example.com', password: 'correct horse', display_name: 'a\u0007b' },
      'display_name',
    ],
    [
      'an unknown field',
      { email: 'h@example.com', password: 'correct horse', admin: true },
      'admin',
    ],
  ])('refuses %s with 400 and creates nothing', async (_case, body, field) => {
    const before = await app.sql<{ count: string }>('SELECT count(*) FROM users');
    const response = await api.request('POST', '/api/auth/signup', { body });
    expect(response.status).toBe(400);
    expect(response.body.message).toEqual(expect.any(String));
    expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await app.sql('SELECT count(*) FROM users')).toEqual(before);
  });
});

describe('POST /api/auth/login', () => {
  it('answers 200 with a token for the right password, whatever the email case', async () => {
    const { email, password, user } = await api.signup({ email: 'login@example.com' });
    const login = await api.request('POST', '/api/auth/login', {
      body: { email: email.toUpperCase(), password },
    });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ token_type: 'Bearer', expires_in: 86_400, user });
  });

  it('answers the same 401 for an unknown email and a wrong password', async () => {
    const { email } = await api.signup();
    const headers = { 'x-forwarded-for': '10.0.0.1' };
    const wrongPassword = await api.request('POST', '/api/auth/login', {
      body: { email, password: 'wrong password' },
      headers,
    });
    const unknownEmail = await api.request('POST', '/api/auth/login', {
      body: { email: 'nobody@example.com', password: 'wrong password' },
      headers,
    });
    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Invalid credentials',
    });
    expect(unknownEmail.body).toEqual(wrongPassword.body);
  });

  it('answers 429 with Retry-After once an account has used up its failures, even for the right password', async () => {
    const { email, password } = await api.signup();
    // Each attempt comes from another address, so only the account's count is reached.
    const headers = (i: number) => ({ 'x-forwarded-for': `10.1.0.${i}` });
    for (let i = 0; i < 3; i++) {
      const attempt = await api.request('POST', '/api/auth/login', {
        body: { email, password: 'wrong password' },
        headers: headers(i),
      });
      expect(attempt.status).toBe(401);
    }
    const refused = await api.request('POST', '/api/auth/login', {
      body: { email, password },
      headers: headers(99),
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(15 * 60);
    expect(refused.body.message).toMatch(/Too many failed login attempts/);
  });

  it('counts failures per client address across accounts, leaving other addresses alone', async () => {
    const attacker = { 'x-forwarded-for': '10.2.0.1' };
    for (let i = 0; i < 3; i++) {
      await api.request('POST', '/api/auth/login', {
        body: { email: `stranger-${i}@example.com`, password: 'wrong password' },
        headers: attacker,
      });
    }
    const { email, password } = await api.signup();
    const refused = await api.request('POST', '/api/auth/login', {
      body: { email, password },
      headers: attacker,
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    const elsewhere = await api.request('POST', '/api/auth/login', {
      body: { email, password },
      headers: { 'x-forwarded-for': '10.2.0.2' },
    });
    expect(elsewhere.status).toBe(200);
  });

  it('does not throttle other routes', async () => {
    const { token } = await api.signup();
    const responses = await Promise.all(
      Array.from({ length: 30 }, () => api.request('GET', '/api/me', { token })),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
  });
});

describe('bearer tokens', () => {
  let userId: string;
  let validToken: string;

  beforeAll(async () => {
    const { token, user } = await api.signup();
    userId = user.id;
    validToken = token;
  });

  const me = (headers: Record<string, string>) => api.request('GET', '/api/me', { headers });

  it('refuses a request without an Authorization header', async () => {
    const response = await me({});
    expect(response.status).toBe(401);
    expect(response.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Missing bearer token',
    });
  });

  it('refuses a token with a tampered signature', async () => {
    const [header, payload, signature] = validToken.split('.');
    const flipped = (signature!.startsWith('A') ? 'B' : 'A') + signature!.slice(1);
    expect((await me({ authorization: `Bearer ${header}.${payload}.${flipped}` })).status).toBe(
      401,
    );
  });

  it('refuses a token whose claims were changed', async () => {
    const [header, , signature] = validToken.split('.');
    const payload = Buffer.from(JSON.stringify({ sub: '1', exp: now() + 60 })).toString(
      'base64url',
    );
    expect((await me({ authorization: `Bearer ${header}.${payload}.${signature}` })).status).toBe(
      401,
    );
  });

  it('refuses an expired token', async () => {
    const token = forgeToken(
      { sub: userId, iat: now() - 7200, exp: now() - 3600 },
      { secret: TEST_JWT_SECRET },
    );
    const response = await me({ authorization: `Bearer ${token}` });
    expect(response.status).toBe(401);
    expect(response.body.message).toBe('Invalid or expired token');
  });

  it('refuses alg "none"', async () => {
    const token = forgeToken(
      { sub: userId, exp: now() + 3600 },
      { secret: TEST_JWT_SECRET, alg: 'none' },
    );
    expect((await me({ authorization: `Bearer ${token}` })).status).toBe(401);
  });

  it('refuses another algorithm signed with the right secret', async () => {
    const token = forgeToken(
      { sub: userId, exp: now() + 3600 },
      { secret: TEST_JWT_SECRET, alg: 'HS512' },
    );
    expect((await me({ authorization: `Bearer ${token}` })).status).toBe(401);
  });

  it('refuses a token signed with another secret', async () => {
    const token = forgeToken({ sub: userId, exp: now() + 3600 }, { secret: 'x'.repeat(48) });
    expect((await me({ authorization: `Bearer ${token}` })).status).toBe(401);
  });

  it('accepts a hand-made HS256 token with the right secret (the forging helper is sound)', async () => {
    const token = forgeToken({ sub: userId, exp: now() + 3600 }, { secret: TEST_JWT_SECRET });
    expect((await me({ authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it('issues tokens that expire after JWT_TTL', async () => {
    const [, payload] = validToken.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    expect(claims.exp - claims.iat).toBe(86_400);
  });
});
