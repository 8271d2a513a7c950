import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { startTestApp, type TestApp } from './support/test-app';

let app: TestApp;
let api: ApiClient;

beforeAll(async () => {
  app = await startTestApp('operations', { SCORE_MIN: '-5', SCORE_MAX: '500' });
  api = new ApiClient(app.baseUrl);
});
afterAll(() => app.close());

describe('health', () => {
  it('answers live while the process runs', async () => {
    const response = await api.request('GET', '/api/health/live');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', pid: process.pid });
  });

  it('answers ready when PostgreSQL answers and every migration is applied', async () => {
    const response = await api.request('GET', '/api/health/ready');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', checks: { database: 'up', migrations: 'up' } });
  });

  it('answers 503 naming the migrations when one is not applied', async () => {
    const [last] = await app.sql<{ id: number; timestamp: string; name: string }>(
      'SELECT id, timestamp, name FROM migrations ORDER BY id DESC LIMIT 1',
    );
    await app.sql('DELETE FROM migrations WHERE id = $1', [last!.id]);
    try {
      const response = await api.request('GET', '/api/health/ready');
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({
        statusCode: 503,
        message: 'Not ready: migrations down',
      });
    } finally {
      await app.sql('INSERT INTO migrations (id, timestamp, name) VALUES ($1, $2, $3)', [
        last!.id,
        last!.timestamp,
        last!.name,
      ]);
    }
  });
});

describe('GET /api/config', () => {
  it('answers the configured score range without authentication', async () => {
    const response = await api.request('GET', '/api/config');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ score_min: -5, score_max: 500 });
  });

  it('is the range POST /api/scores enforces', async () => {
    const { token } = await api.signup();
    expect((await api.submitScore(token, -5)).status).toBe(201);
    expect((await api.submitScore(token, 500)).status).toBe(201);
    const over = await api.submitScore(token, 501);
    expect(over.status).toBe(400);
    expect(over.body.message).toBe('value must be between -5 and 500');
  });
});

describe('API documentation and headers', () => {
  it('serves the OpenAPI document generated from the DTOs and the UI', async () => {
    const document = await api.request('GET', '/api/docs-json');
    expect(document.status).toBe(200);
    expect(Object.keys(document.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/auth/signup',
        '/api/auth/login',
        '/api/me',
        '/api/scores',
        '/api/me/scores',
      ]),
    );
    expect(document.body.components.schemas.SubmitScoreDto.required).toEqual(['value']);
    const ui = await fetch(`${app.baseUrl}/api/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  it('sends security headers and hides the framework', async () => {
    const response = await api.request('GET', '/api/health/live');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    const response = await api.request('GET', '/api/nothing-here');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: expect.any(String),
    });
  });
});
