// `npm run size -w packages/sdk` (after `npm run build -w packages/sdk`): the size of the SDK in a
// browser bundle, everything `@scoreboard/sdk` exports bundled into one minified ES module (as an
// app's bundler would, before tree-shaking what it does not use), then gzipped.
import { Buffer } from 'node:buffer';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { rolldown } from 'rolldown';

const input = join(import.meta.dirname, '..', 'dist', 'index.js');
const bundle = await rolldown({ input, platform: 'browser', logLevel: 'silent' });
const { output } = await bundle.generate({ format: 'esm', minify: true });
await bundle.close();
const code = output.map((chunk) => ('code' in chunk ? chunk.code : '')).join('');
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(
  `@scoreboard/sdk for a browser: ${kb(Buffer.byteLength(code))} minified, ` +
    `${kb(gzipSync(code, { level: 9 }).length)} minified + gzip`,
);
