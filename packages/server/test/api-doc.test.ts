import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * docs/api.md documents every route under a heading of one form, "### `GET /api/boards/{board}`"
 * (parameters in OpenAPI's notation). These tests keep it true to the routes: the headings must be
 * exactly the operations of the OpenAPI document the app serves at /api/docs-json, and that
 * document must hold every route the app's router serves, so that a route hidden from Swagger
 * cannot escape the comparison either.
 */
const API_DOC = join(__dirname, '..', '..', '..', 'docs', 'api.md');
const ROUTE_HEADING = /^### `(GET|POST|PUT|PATCH|DELETE) (\/\S*)`$/;
/** A heading that names a route some other way, which the comparison would silently skip. */
const LOOKS_LIKE_ROUTE = /^#{1,6}\s+`?(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s/i;
/** Served by SwaggerModule.setup (the UI, its assets, the document): not routes of the API. */
const SWAGGER_SERVED = /^\/api\/docs(-json|-yaml)?(\/|$)/;
const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'];

let app: TestApp;
let api: ApiClient;

beforeAll(async () => {
  app = await startTestApp('api_doc');
  api = new ApiClient(app.baseUrl);
});
afterAll(() => app.close());

/** The routes docs/api.md documents; a heading that looks like a route but is malformed fails. */
function documentedRoutes(markdown: string): string[] {
  const routes: string[] = [];
  const malformed: string[] = [];
  for (const line of markdown.split('\n')) {
    const match = ROUTE_HEADING.exec(line);
    if (match) routes.push(`${match[1]} ${match[2]}`);
    else if (LOOKS_LIKE_ROUTE.test(line)) malformed.push(line);
  }
  expect(malformed, 'headings that look like routes but are not "### `METHOD /path`"').toEqual([]);
  const repeated = routes.filter((route, index) => routes.indexOf(route) !== index);
  expect(repeated, 'routes documented twice in docs/api.md').toEqual([]);
  return routes;
}

async function openApiRoutes(): Promise<string[]> {
  const document = await api.request<{ paths: Record<string, Record<string, unknown>> }>(
    'GET',
    '/api/docs-json',
  );
  expect(document.status).toBe(200);
  return Object.entries(document.body.paths).flatMap(([path, operations]) =>
    Object.keys(operations)
      .filter((method) => HTTP_METHODS.includes(method))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** The dashboard's files, served at every other path by @nestjs/serve-static once it is built. */
const CLIENT_SERVED = '{*any}';

type RouteLayer = { route?: { path: string; methods: Record<string, boolean> } };

/**
 * The routes the Express router serves, in OpenAPI's notation. Nest mounts each handler for one
 * method; a route mounted for every method is Nest's not-found handler on a path outside the
 * global prefix (/metrics), not a route.
 */
function routerRoutes(): string[] {
  const express = app.app.getHttpAdapter().getInstance() as { router: { stack: RouteLayer[] } };
  return express.router.stack.flatMap(({ route }) => {
    if (!route || SWAGGER_SERVED.test(route.path) || route.path === CLIENT_SERVED) return [];
    const methods = Object.keys(route.methods);
    if (methods.length !== 1) return [];
    return [`${methods[0]!.toUpperCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`];
  });
}

/** Both sides' differences, sorted, each under a heading that says what to fix. */
function difference(
  expected: { name: string; routes: string[] },
  actual: { name: string; routes: string[] },
): string {
  const missing = expected.routes.filter((route) => !actual.routes.includes(route)).sort();
  const extra = actual.routes.filter((route) => !expected.routes.includes(route)).sort();
  return [
    ...(missing.length > 0 ? [`In ${expected.name}, missing from ${actual.name}:`] : []),
    ...missing.map((route) => `  ${route}`),
    ...(extra.length > 0 ? [`In ${actual.name}, not in ${expected.name}:`] : []),
    ...extra.map((route) => `  ${route}`),
  ].join('\n');
}

describe('docs/api.md', () => {
  it('documents exactly the routes of the OpenAPI document', async () => {
    const documented = documentedRoutes(readFileSync(API_DOC, 'utf8'));
    const diff = difference(
      { name: 'the OpenAPI document (/api/docs-json)', routes: await openApiRoutes() },
      { name: 'docs/api.md', routes: documented },
    );
    expect(diff, 'docs/api.md and the API differ').toBe('');
  });

  it('links only to its own sections', () => {
    const markdown = readFileSync(API_DOC, 'utf8');
    // GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens.
    const anchors = [...markdown.matchAll(/^#{1,6} +(.+)$/gm)].map(
      (heading) =>
        '#' +
        heading[1]!
          .toLowerCase()
          .replace(/[^\p{L}\p{N} _-]/gu, '')
          .replace(/ /g, '-'),
    );
    const targets = [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((link) => link[1]!);
    expect(targets.filter((target) => !anchors.includes(target))).toEqual([]);
  });
});

describe('the OpenAPI document', () => {
  it('holds every route the router serves, and no other', async () => {
    const diff = difference(
      { name: 'the router', routes: routerRoutes() },
      { name: 'the OpenAPI document (/api/docs-json)', routes: await openApiRoutes() },
    );
    expect(diff, 'the routes and the OpenAPI document differ').toBe('');
  });

  it('describes webhooks (the secret in the creation answer only) and claims by player or API key', async () => {
    const document = await api.request('GET', '/api/docs-json');
    const { paths, components } = document.body;
    const schemaOf = (ref: string) => components.schemas[ref.replace('#/components/schemas/', '')];
    const created = paths['/api/admin/webhooks'].post.responses['201'].content['application/json'];
    expect(Object.keys(schemaOf(created.schema.$ref).properties)).toContain('secret');
    const listed = paths['/api/admin/webhooks'].get.responses['200'].content['application/json'];
    const item = schemaOf(schemaOf(listed.schema.$ref).properties.items.items.$ref);
    expect(Object.keys(item.properties)).not.toContain('secret');
    expect(
      schemaOf(
        paths['/api/admin/webhooks'].post.requestBody.content['application/json'].schema.$ref,
      ).properties.events.items.enum,
    ).toEqual([
      'score.applied',
      'period.finalized',
      'player.banned',
      'player.unbanned',
      'score.removed',
      'player.deleted',
    ]);
    expect(
      paths['/api/admin/webhooks/{id}/deliveries/{delivery}/redeliver'].post.responses,
    ).toHaveProperty('202');
    const claim = paths['/api/me/results/{id}/claim'].post;
    expect(claim.security).toEqual(expect.arrayContaining([{ bearer: [] }, { 'api-key': [] }]));
    expect(
      Object.keys(paths['/api/boards/{board}/periods/{period}/results'].get.responses),
    ).toEqual(expect.arrayContaining(['200', '404']));
  });
});
