import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * `npm test` after lint and type check: the vitest groups of vitest.config.ts one after the
 * other, each in its own run, so the unit group starts no DynamoDB Local (no Java), and a
 * summary of each group's time. Arguments are passed to every group (`npm test -- -t foo`,
 * or file filters, in which case a group with no matching file passes).
 */
const GROUPS = ['unit', 'contract', 'integration'] as const;
/** vitest's own CLI, run by this Node directly: `npx` would add its package lookup to each group's time. */
const VITEST = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const args = process.argv.slice(2);
const results: { group: string; seconds: number; ok: boolean }[] = [];

for (const group of GROUPS) {
  console.log(`\n=== ${group} tests ===`);
  const started = performance.now();
  const run = spawnSync(
    process.execPath,
    [VITEST, 'run', '--project', group, ...(args.length > 0 ? ['--passWithNoTests', ...args] : [])],
    { stdio: 'inherit' },
  );
  results.push({ group, seconds: (performance.now() - started) / 1000, ok: run.status === 0 });
}

console.log('\n=== test groups ===');
for (const r of results) {
  console.log(`${r.group.padEnd(12)} ${r.seconds.toFixed(1).padStart(7)} s  ${r.ok ? 'passed' : 'FAILED'}`);
}
process.exit(results.every((r) => r.ok) ? 0 : 1);
