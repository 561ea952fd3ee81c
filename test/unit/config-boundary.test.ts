import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );

describe('configuration', () => {
  it('is read from the environment only in lib/config.ts, in every function and lib module', () => {
    const readers = [...sources('lib'), ...sources('functions')].filter(
      (file) => file !== join('lib', 'config.ts') && /process\.env\b/.test(readFileSync(file, 'utf8')),
    );
    expect(readers).toEqual([]);
  });
});
