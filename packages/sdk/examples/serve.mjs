// Serves examples/browser.html and the built SDK on one origin with the Scoreboard API, as a
// game's own web server would (the API answers no cross-origin requests):
//
//   npm run build -w packages/sdk
//   node packages/sdk/examples/serve.mjs [http://localhost:3000] [port, default 5174]
//
// then open the address it prints. `/api/...` is passed to the Scoreboard server as it is (the
// live stream included); `/sdk/...` is packages/sdk/dist; `/` is the page.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath, pathToFileURL, URL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist');

/** Starts the page's server in front of `target` (the Scoreboard origin); port 0: any free one. */
export async function startExampleServer(target, port = 0) {
  const api = new URL(target);
  const server = http.createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://page').pathname;
    if (path.startsWith('/api/')) return forward(api, request, response);
    try {
      if (path === '/' || path === '/index.html') {
        return send(response, 'text/html', await readFile(join(here, 'browser.html')));
      }
      const file = normalize(path.slice('/sdk/'.length));
      if (path.startsWith('/sdk/') && file.endsWith('.js') && !file.startsWith('..')) {
        return send(response, 'text/javascript', await readFile(join(dist, file)));
      }
    } catch {
      // Not built, or no such file: a 404 below.
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(response, type, body) {
  response.writeHead(200, {
    'content-type': `${type}; charset=utf-8`,
    'cache-control': 'no-store',
  });
  response.end(body);
}

/** Passes the request to the API and its answer back, streamed (the live stream stays open). */
function forward(api, request, response) {
  const upstream = http.request(
    {
      host: api.hostname,
      port: api.port,
      path: request.url,
      method: request.method,
      headers: { ...request.headers, host: api.host },
    },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  upstream.on('error', () => {
    if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
    response.end();
  });
  response.on('close', () => upstream.destroy());
  request.pipe(upstream);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const target = process.argv[2] ?? 'http://localhost:3000';
  const page = await startExampleServer(target, Number(process.argv[3] ?? 5174));
  console.log(`${page.url}/ (the API at ${target})`);
}
