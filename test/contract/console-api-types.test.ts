import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// npm workspaces put openapi-typescript under web/ (it needs TypeScript 5; the root has 7).
const CLI = [
  'web/node_modules/openapi-typescript/bin/cli.js',
  'node_modules/openapi-typescript/bin/cli.js',
].find(existsSync);

describe('Console API client types', () => {
  it('are what openapi-typescript makes of docs/openapi.json (run `npm run openapi` when this fails)', () => {
    expect(CLI, 'openapi-typescript is installed (npm install)').toBeDefined();
    const generated = execFileSync(process.execPath, [resolve(CLI!), '../docs/openapi.json'], {
      cwd: 'web',
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(readFileSync('web/src/api/schema.d.ts', 'utf8')).toBe(generated);
  });
});
