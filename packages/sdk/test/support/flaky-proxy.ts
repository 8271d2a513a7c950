import { connect, createServer, type Server, type Socket } from 'node:net';

export type ProxyMode = {
  /** Of the server's answers, the share cut off before reaching the client (stored, not told). */
  dropAnswers: number;
  /** Of the requests, the share cut off before reaching the server. */
  dropRequests: number;
  /** Of the requests, the share answered 503 with Retry-After by the proxy itself. */
  unavailable: number;
  /** Every connection is closed at once: the server seems gone. */
  refuse: boolean;
};

export type FlakyProxy = {
  url: string;
  mode: ProxyMode;
  counts: {
    connections: number;
    answersDropped: number;
    requestsDropped: number;
    unavailable: number;
    refused: number;
  };
  /** Breaks every open connection (the next requests connect again). */
  cut(): void;
  close(): Promise<void>;
};

const UNAVAILABLE =
  'HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 0\r\n' +
  'connection: close\r\ncontent-length: 73\r\n\r\n' +
  '{"statusCode":503,"error":"Service Unavailable","message":"Proxy says no"}';

/**
 * A TCP proxy in front of the server that fails the way networks do, at random (a seeded
 * generator): it cuts requests before they arrive, cuts answers after the server sent them (the
 * score is stored but the client never hears so), answers 503 itself, or refuses everything.
 */
export async function startFlakyProxy(target: URL, mode: ProxyMode, seed = 1): Promise<FlakyProxy> {
  let state = seed >>> 0;
  const random = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const counts = {
    connections: 0,
    answersDropped: 0,
    requestsDropped: 0,
    unavailable: 0,
    refused: 0,
  };
  const sockets = new Set<Socket>();
  const proxy: { mode: ProxyMode } = { mode };
  const server: Server = createServer((client) => {
    counts.connections += 1;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (proxy.mode.refuse) {
      counts.refused += 1;
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    // The upstream gone, so is the client, unless the proxy is answering it itself.
    const closeClient = () => {
      if (!client.writableEnded) client.destroy();
    };
    upstream.on('close', () => {
      sockets.delete(upstream);
      closeClient();
    });
    upstream.on('error', closeClient);
    client.on('close', () => upstream.destroy());
    // A request's head and small body come in one chunk: a chunk stands for a request.
    client.on('data', (chunk) => {
      const draw = random();
      if (proxy.mode.refuse || draw < proxy.mode.dropRequests) {
        counts.requestsDropped += 1;
        client.destroy();
      } else if (draw < proxy.mode.dropRequests + proxy.mode.unavailable) {
        counts.unavailable += 1;
        client.end(UNAVAILABLE);
        upstream.destroy();
      } else {
        upstream.write(chunk);
      }
    });
    upstream.on('data', (chunk) => {
      if (proxy.mode.refuse || random() < proxy.mode.dropAnswers) {
        counts.answersDropped += 1;
        client.destroy();
        return;
      }
      client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return proxy.mode;
    },
    set mode(next: ProxyMode) {
      proxy.mode = next;
    },
    counts,
    cut() {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
