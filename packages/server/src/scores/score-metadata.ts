/** The most bytes a score's metadata may take, as compact JSON in UTF-8. */
export const METADATA_MAX_BYTES = 1024;
/** The deepest a score's metadata may nest: the object itself is level 1. */
export const METADATA_MAX_DEPTH = 4;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * What is wrong with a score's `metadata` as the client sent it (the parsed body, before any
 * transformation could drop a `__proto__` key), or null when it may be stored: a JSON object of
 * at most 1,024 bytes, nested at most 4 levels, with no key that could reach a prototype.
 */
export function metadataProblem(metadata: unknown): string | null {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    return 'metadata must be a JSON object';
  }
  if (Buffer.byteLength(JSON.stringify(metadata)) > METADATA_MAX_BYTES) {
    return `metadata must be at most ${METADATA_MAX_BYTES} bytes`;
  }
  return shapeProblem(metadata, 1);
}

function shapeProblem(value: object, depth: number): string | null {
  if (depth > METADATA_MAX_DEPTH) {
    return `metadata must be nested at most ${METADATA_MAX_DEPTH} levels deep`;
  }
  for (const [key, child] of Object.entries(value)) {
    if (FORBIDDEN_KEYS.has(key)) {
      return 'metadata must not use the keys __proto__, constructor or prototype';
    }
    if (typeof child === 'object' && child !== null) {
      const problem = shapeProblem(child as object, depth + 1);
      if (problem) return problem;
    }
  }
  return null;
}
