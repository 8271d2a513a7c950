// `npm run generate:types -w packages/sdk`: writes src/generated/api.ts from the OpenAPI document
// that the built server (`npm run build -w packages/server`) serves at /api/docs-json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiToTypeScript } from './openapi-to-ts.mjs';
import { startServer } from './server.mjs';

const server = await startServer();
try {
  const document = await (await fetch(`${server.baseUrl}/api/docs-json`)).json();
  const target = join(import.meta.dirname, '..', 'src', 'generated', 'api.ts');
  mkdirSync(join(target, '..'), { recursive: true });
  writeFileSync(target, openApiToTypeScript(document));
  console.log(`wrote ${target}`);
} finally {
  await server.stop();
}
