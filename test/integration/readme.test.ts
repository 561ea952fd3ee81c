import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { api, testStack } from '../support/local.js';
import { readmeExamples, runnable, script } from '../support/readme-examples.js';

const README = readFileSync('README.md', 'utf8');

describe('README.md', () => {
  let stack: LocalStack;
  const dir = join('.stageflow', `readme-${randomUUID().slice(0, 8)}`);
  beforeAll(async () => {
    stack = await testStack('readme');
    mkdirSync(dir, { recursive: true });
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await stack?.stop();
  });

  it('marks what it leaves out: AWS (bootstrap, deploy, aws CLI, destroy) and the setup commands', () => {
    const examples = readmeExamples(README);
    const skipped = examples.filter((e) => ['sh', 'bash'].includes(e.lang) && !runnable(e));
    expect(skipped.every((e) => e.tags.includes('aws') || e.tags.includes('setup'))).toBe(true);
    for (const e of examples.filter(runnable)) {
      expect(e.code, `README.md:${e.line}`).not.toMatch(
        /\bcdk (bootstrap|deploy|destroy)\b|npm run (deploy|destroy)|^aws /m,
      );
      // No file the reader would have to make up, no id they would have to invent.
      expect(e.code, `README.md:${e.line}`).not.toMatch(/-d @|cmp_123|<token>/);
    }
    // The Segment example must not look like a hang (the default buffers for 10 s).
    const segment = examples.find((e) => e.lang === 'ts' && e.code.includes('@segment/analytics-node'));
    expect(segment?.code).toMatch(/flushAt:/);
    expect(segment?.code).toMatch(/flushInterval:/);
  });

  it('runs every local example, in order, against a local stack', async () => {
    // Prepare
    const { bash, files } = script(readmeExamples(README), (i) => join(dir, `example-${i}.ts`));
    for (const [file, code] of Object.entries(files)) writeFileSync(file, code);

    // Act
    const child = spawn('bash', ['-c', bash], {
      env: { ...process.env, STAGEFLOW_URL: stack.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

    // Assess: every example succeeded (curl fails on any HTTP error), in order, to the end
    expect(code, output.slice(-4000)).toBe(0);
    expect(output).toContain('{"status":"unsubscribed"}');
    expect(output).toContain('"campaignId":"cmp_');
    // The last example erased u-1, which every earlier one could still use.
    expect((await api(stack, stack.keys.admin)('GET', '/v1/customers/u-1')).status).toBe(404);
  }, 180_000);
});
