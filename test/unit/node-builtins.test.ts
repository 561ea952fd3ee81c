import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { BUILTIN_ALIASES, BUNDLE_ALIASES, NODE_BUILTINS } from '../../infra/bundling.js';

/**
 * The bundles load Node built-ins through lib/aws/node-builtins/*.cjs (infra/bundling.ts,
 * NODE_BUILTINS) instead of ES imports: each must hand the bundle the very module object an
 * import would have given, and node:stream/web, loaded on first use, every class of it.
 */
const requireFile = createRequire(import.meta.url);
const builtin = (name: string) => process.getBuiltinModule(`node:${name}`) as Record<string, unknown>;

describe('infra/bundling.ts: Node built-ins as CommonJS', () => {
  it('aliases every listed built-in, with and without node:, to one file that exists', () => {
    for (const name of NODE_BUILTINS) {
      // Assess
      expect(BUILTIN_ALIASES[`node:${name}`], name).toBe(BUILTIN_ALIASES[name]);
      expect(existsSync(BUILTIN_ALIASES[name]), BUILTIN_ALIASES[name]).toBe(true);
      expect(BUNDLE_ALIASES[`node:${name}`]).toBe(BUILTIN_ALIASES[name]);
    }
  });

  it('returns the built-in module object itself', () => {
    for (const name of NODE_BUILTINS.filter((n) => n !== 'stream/web')) {
      // Act
      const shim = requireFile(BUILTIN_ALIASES[name]);

      // Assess
      expect(shim, name).toBe(builtin(name));
    }
  });

  it('gives node:stream/web lazily, with every export of the running Node', () => {
    // Act
    const shim = requireFile(BUILTIN_ALIASES['stream/web']) as Record<string, unknown>;
    const real = builtin('stream/web');

    // Assess
    expect(Object.keys(shim)).toEqual(expect.arrayContaining(Object.keys(real)));
    for (const name of Object.keys(shim)) expect(shim[name], name).toBe(real[name]);
    expect(shim.ReadableStream).toBe(globalThis.ReadableStream);
  });
});
