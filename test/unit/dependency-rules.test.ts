import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseOptions, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

// The rules `npm test` checks the tree with (`npm run depcruise`), loaded from the one config.
// These tests prove each rule fails on a small tree that breaks it; the real tree is checked
// once, by `npm run depcruise` in `npm test` (cruising it here too took seconds of every unit run).
const config = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as {
  forbidden: IForbiddenRuleType[];
  options: ICruiseOptions;
};

const fixtures: string[] = [];
afterAll(() => {
  for (const dir of fixtures) rmSync(dir, { recursive: true, force: true });
});

/** A throwaway source tree: path → content. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'stageflow-deps-'));
  fixtures.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** The rule names violated in a tree, one entry per violation, as `rule: from → to`. */
async function violations(baseDir: string, roots: string[] = ['lib']): Promise<string[]> {
  const { output } = await cruise(roots, {
    ...config.options,
    baseDir,
    validate: true,
    ruleSet: { forbidden: config.forbidden },
  });
  const result = output as ICruiseResult;
  return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
}

// One clean context pair that every fixture starts from: flows uses campaigns through its index.
const CLEAN = {
  'lib/campaigns/index.ts': "export * from './campaign.js';\n",
  'lib/campaigns/campaign.ts': 'export const waitMs = 1;\n',
  'lib/flows/index.ts': "export * from './plan.js';\n",
  'lib/flows/plan.ts': "import { waitMs } from '../campaigns/index.js';\nexport const plan = () => waitMs;\n",
};

describe('dependency rules (.dependency-cruiser.cjs)', () => {
  it('passes a tree that keeps them', async () => {
    // Prepare
    const dir = tree(CLEAN);
    // Act + Assess
    expect(await violations(dir)).toEqual([]);
  });

  it('fails on an import cycle between two contexts', async () => {
    // Prepare: campaigns now imports flows, which imports campaigns.
    const dir = tree({
      ...CLEAN,
      'lib/campaigns/campaign.ts':
        "import { plan } from '../flows/index.js';\nexport const waitMs = 1;\nplan;\n",
    });
    // Act
    const found = await violations(dir);
    // Assess
    expect(found).toContain('no-cycle: lib/campaigns/campaign.ts → lib/flows/index.ts');
    expect(found.some((v) => v.startsWith('no-context-cycle: lib/campaigns → lib/flows'))).toBe(true);
  });

  it('fails on a cycle of contexts even when no single module forms one', async () => {
    // Prepare: flows/plan → campaigns/index, and campaigns/defaults → flows/settings' index.
    const dir = tree({
      ...CLEAN,
      'lib/campaigns/index.ts': "export * from './campaign.js';\nexport * from './defaults.js';\n",
      'lib/campaigns/defaults.ts':
        "import { settings } from '../flows/settings.js';\nexport const d = settings;\n",
      'lib/flows/settings.ts': 'export const settings = 1;\n',
    });
    // Act
    const found = await violations(dir);
    // Assess
    expect(found.some((v) => v.startsWith('no-context-cycle:'))).toBe(true);
  });

  it('fails when a domain module imports an AWS SDK, and not when an adapter does', async () => {
    // Prepare
    const dir = tree({
      ...CLEAN,
      'lib/flows/plan.ts':
        "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const plan = () => DynamoDBClient;\n",
      'lib/flows/dynamodb-message-log.ts':
        "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const log = DynamoDBClient;\n",
    });
    // Act
    const found = await violations(dir);
    // Assess
    expect(found.filter((v) => v.startsWith('no-sdk-in-domain:'))).toEqual([
      'no-sdk-in-domain: lib/flows/plan.ts → @aws-sdk/client-dynamodb',
    ]);
  });

  it('fails on a deep import into another context, past its index.ts', async () => {
    // Prepare
    const dir = tree({
      ...CLEAN,
      'lib/flows/plan.ts':
        "import { waitMs } from '../campaigns/campaign.js';\nexport const plan = () => waitMs;\n",
    });
    // Act + Assess
    expect(await violations(dir)).toEqual([
      'no-deep-import-across-contexts: lib/flows/plan.ts → lib/campaigns/campaign.ts',
    ]);
  });

  it('fails when a context imports the HTTP edge or the composition root', async () => {
    // Prepare
    const dir = tree({
      ...CLEAN,
      'lib/http/problem.ts': 'export const problem = 1;\n',
      'lib/flows/plan.ts':
        "import { problem } from '../http/problem.js';\nexport const plan = () => problem;\n",
    });
    // Act + Assess
    expect(await violations(dir)).toEqual([
      'no-edge-or-root-in-contexts: lib/flows/plan.ts → lib/http/problem.ts',
    ]);
  });
});
