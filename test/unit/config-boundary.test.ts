import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );

/**
 * The lean DynamoDB client stands in for @aws-sdk/client-dynamodb in the ingest bundle, so it
 * reads exactly the AWS_* environment the SDK reads by itself (region, Lambda's credentials, the
 * trace id, the SDK settings it refuses); none of that is Stageflow configuration.
 */
const SDK_STAND_INS = join('lib', 'aws', 'lean-dynamodb');

describe('configuration', () => {
  it('is read from the environment only in lib/config.ts, in every function and lib module', () => {
    const readers = [...sources('lib'), ...sources('functions')].filter(
      (file) =>
        file !== join('lib', 'config.ts') &&
        !file.startsWith(SDK_STAND_INS) &&
        /process\.env\b/.test(readFileSync(file, 'utf8')),
    );
    expect(readers).toEqual([]);
  });

  it('is read by the lean DynamoDB client only as AWS_* settings the SDK itself reads', () => {
    const names = sources(SDK_STAND_INS).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/process\.env(?:\.(\w+)|\[)/g)].map(
        (m) => m[1] ?? '[computed]',
      ),
    );
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => n !== '[computed]' && !/^(AWS_|_X_AMZN_TRACE_ID$)/.test(n))).toEqual([]);
  });
});
