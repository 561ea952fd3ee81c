import { defineConfig } from 'vitest/config';

/**
 * Three groups, each a vitest project (`npm test` runs them one after the other through
 * scripts/test.ts, and prints each group's time):
 * - unit: pure code and in-memory adapters, milliseconds each; no DynamoDB Local, so no Java.
 * - contract: the event contracts, the synthesized CDK templates, the console's generated API
 *   types (a child process runs openapi-typescript) and the lean DynamoDB client's wire
 *   compatibility with the SDK (both over local HTTP servers); no DynamoDB Local either.
 * - integration: the real handlers on the local stack against DynamoDB Local (and the console's
 *   browser tests in test/browser/, which drive that stack), which the
 *   project's global setup starts once for the whole group. Their logs are kept back and
 *   printed only for a test that fails.
 * A new test file joins its group by where it lives; nothing here lists files.
 *
 * Speed (CI has 2 cores, where vitest's default is one file at a time):
 * - unit runs in two threads with isolate: false, so zod, the SDK and the domain are imported
 *   once per thread instead of once per file (the imports cost far more than the assertions).
 *   A unit test must therefore restore process.env, timers and module state it changes.
 * - contract and integration run two files at a time in forks (a fork per file keeps each
 *   file's process.env and handlers apart). Integration files mostly wait on flows and DynamoDB
 *   Local, so two at a time nearly halves the group; each file has its own table and ports.
 * Each project has its own groupOrder: vitest refuses projects with different maxWorkers in one
 * group, and `npx vitest run` (all projects) then runs them one after the other.
 */
/** Files (unit: threads) at a time; STAGEFLOW_TEST_WORKERS=1 runs one at a time, as before. */
const WORKERS = Number(process.env.STAGEFLOW_TEST_WORKERS || 2);

export default defineConfig({
  test: {
    setupFiles: ['test/support/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Console output of passing tests is dropped; a failing test's is printed with it.
    silent: 'passed-only',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          pool: 'threads',
          isolate: false,
          maxWorkers: WORKERS,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'contract',
          include: ['events/**/*.test.ts', 'test/infra/**/*.test.ts', 'test/contract/**/*.test.ts'],
          maxWorkers: WORKERS,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/browser/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/quiet-logs.ts'],
          maxWorkers: WORKERS,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
