import { createHash } from 'node:crypto';

/**
 * A deterministic id from its parts (128 bits of SHA-256, hex): the same fact always gets the
 * same event id, run id or reward id, which is what lets every consumer dedupe.
 */
export const stableId = (...parts: string[]): string =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
