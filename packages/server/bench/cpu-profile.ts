/**
 * Self time of V8 CPU profiles (`node --cpu-prof`) within a time window, by bucket and by
 * function. The buckets are documented in bench/accept.ts's header; `bucketOf` is their rules.
 * Beside each function's own bucket, its time is also charged to its caller's bucket when it is
 * Node.js-internal or native code (a socket's writev, fs.writeSync, an HMAC): that tells whose
 * work the time inside Node.js was, which the own buckets leave in "other".
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

type CallFrame = { functionName: string; url: string; lineNumber: number };
/** The .cpuprofile format: timestamps and deltas in µs on the monotonic clock. */
export type CpuProfile = {
  nodes: Array<{ id: number; callFrame: CallFrame; children?: number[] }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
};

export const IDLE = 'idle';
export const OTHER = 'other';
export const BUCKETS = [
  'auth',
  'database driver',
  'HTTP framework',
  'validation',
  'logging',
  'Redis',
  'GC',
  OTHER,
] as const;

const PACKAGE_BUCKETS: Array<[RegExp, (typeof BUCKETS)[number]]> = [
  [/^(jsonwebtoken|jws|jwa|ecdsa-sig-formatter|@nestjs\/jwt|jose|fast-jwt)$/, 'auth'],
  [/^(pg|pg-.+|postgres-.+|typeorm)$/, 'database driver'],
  [/^(class-validator|class-transformer|validator|libphonenumber-js)$/, 'validation'],
  [
    /^(express|router|body-parser|@nestjs\/platform-express|@nestjs\/core|@nestjs\/common|finalhandler|send|on-finished|raw-body|helmet|path-to-regexp|type-is|content-type|media-typer|mime-types|accepts|negotiator|qs|iconv-lite|statuses|http-errors|depd|parseurl|encodeurl|escape-html|etag|fresh|proxy-addr|forwarded|vary|bytes|ee-first|unpipe|rxjs|reflect-metadata)$/,
    'HTTP framework',
  ],
  [
    /^(pino|pino-.+|sonic-boom|fast-redact|quick-format-unescaped|atomic-sleep|thread-stream|safe-stable-stringify|on-exit-leak-free)$/,
    'logging',
  ],
  [/^(ioredis|redis-parser|redis-errors|cluster-key-slot|standard-as-callback|denque)$/, 'Redis'],
];
const APP_BUCKETS: Array<[RegExp, (typeof BUCKETS)[number]]> = [
  [/^src\/auth\//, 'auth'],
  [/^src\/common\/(validation|request-guards)\.ts$/, 'validation'],
  [/^src\/common\/logger\.ts$/, 'logging'],
];
const DIST_URL = `${pathToFileURL(join(__dirname, '..', '..', 'dist')).href}/`;

/**
 * Where a function's self time goes: its bucket, and its group within the bucket (what "other"
 * is broken down by): `node_modules/<package>`, the app's source file, the Node.js module, or
 * `(native)`.
 */
function bucketOf(frame: CallFrame): { bucket: string; group: string } {
  if (frame.functionName === '(garbage collector)') return { bucket: 'GC', group: '(gc)' };
  if (frame.functionName === '(idle)' || frame.functionName === '(program)')
    return { bucket: IDLE, group: frame.functionName };
  const file = fileOf(frame.url);
  const pkg = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1];
  if (pkg) {
    // ValidationPipe lives in @nestjs/common, beside the rest of Nest's request pipeline.
    const bucket =
      pkg === '@nestjs/common' && file.includes('/pipes/')
        ? 'validation'
        : (PACKAGE_BUCKETS.find(([re]) => re.test(pkg))?.[1] ?? OTHER);
    return { bucket, group: `node_modules/${pkg}` };
  }
  const byApp = APP_BUCKETS.find(([re]) => re.test(file))?.[1];
  if (byApp) return { bucket: byApp, group: file };
  if (file.startsWith('node:_http_')) return { bucket: 'HTTP framework', group: file };
  return { bucket: OTHER, group: file };
}

/** A profile's file as printed: the app's `src/…`, `…node_modules/…`, `node:…`, `(native)`. */
function fileOf(url: string): string {
  if (url === '') return '(native)';
  if (url.startsWith(DIST_URL)) return `src/${url.slice(DIST_URL.length).replace(/\.js$/, '.ts')}`;
  const modules = url.lastIndexOf('/node_modules/');
  return modules >= 0 ? url.slice(modules + 1) : url;
}

export type SelfTime = {
  /** µs by bucket, idle included. */
  buckets: Map<string, number>;
  /** µs by bucket, Node.js-internal and native code charged to the bucket of its caller. */
  charged: Map<string, number>;
  /** µs by group within the "other" bucket. */
  other: Map<string, number>;
  /** µs by group within the "HTTP framework" bucket (Nest, Express, body parsing, node:_http_*). */
  framework: Map<string, number>;
  /** µs by function (`name  file:line`), idle left out. */
  functions: Map<string, number>;
  /** µs sampled within the window. */
  total: number;
};

export const emptySelfTime = (): SelfTime => ({
  buckets: new Map(),
  charged: new Map(),
  other: new Map(),
  framework: new Map(),
  functions: new Map(),
  total: 0,
});

/**
 * Adds the self time of `profile`'s samples taken in [fromUs, toUs) to `into`. A sample stands
 * for the time until the next one (the last, until the profile's end).
 */
export function addSelfTime(into: SelfTime, profile: CpuProfile, fromUs: number, toUs: number) {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parents.set(child, node.id);
  const chargedTo = new Map<number, string>();
  const charge = (id: number): string => {
    const known = chargedTo.get(id);
    if (known !== undefined) return known;
    const { bucket, group } = bucketOf(frames.get(id)!);
    const parent = parents.get(id);
    const internal = bucket === OTHER && (group === '(native)' || group.startsWith('node:'));
    const charged = internal && parent !== undefined ? charge(parent) : bucket;
    chargedTo.set(id, charged);
    return charged;
  };
  const add = (map: Map<string, number>, key: string, us: number) =>
    map.set(key, (map.get(key) ?? 0) + us);
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i]!;
    const next = i + 1 < profile.samples.length ? at + profile.timeDeltas[i + 1]! : profile.endTime;
    if (at < fromUs || at >= toUs) continue;
    const id = profile.samples[i]!;
    const frame = frames.get(id)!;
    const { bucket, group } = bucketOf(frame);
    const us = next - at;
    into.total += us;
    add(into.buckets, bucket, us);
    add(into.charged, charge(id), us);
    if (bucket === OTHER) add(into.other, group, us);
    if (bucket === 'HTTP framework') add(into.framework, group, us);
    if (bucket !== IDLE) {
      const line = frame.url ? `:${frame.lineNumber + 1}` : '';
      add(
        into.functions,
        `${frame.functionName || '(anonymous)'}  ${fileOf(frame.url)}${line}`,
        us,
      );
    }
  }
}
