import { HttpProblem } from './problem.js';

/** What a PATCH body may be: RFC 7396 JSON Merge Patch, or plain JSON read the same way. */
export const MERGE_PATCH_TYPES = ['application/merge-patch+json', 'application/json'] as const;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * RFC 7396: members of the patch replace the target's, `null` removes one, objects merge
 * recursively, anything else (arrays included) replaces the whole value. Keys are copied as
 * data (`__proto__` stays an ordinary key, for validation to refuse), never assigned.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const merged = new Map(Object.entries(isObject(target) ? target : {}));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) merged.delete(key);
    else merged.set(key, mergePatch(merged.get(key), value));
  }
  return Object.fromEntries(merged);
}

export class UnsupportedMediaTypeError extends HttpProblem {
  constructor(got: string | undefined, accepted: readonly string[]) {
    super(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      `The body must be ${accepted.join(' or ')}${got ? `, not ${got}` : '; send a Content-Type'}`,
      { headers: { 'accept-patch': accepted.join(', ') } },
    );
    this.name = 'UnsupportedMediaTypeError';
  }
}
