import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type StageflowApp } from '../../infra/build-app.js';
import { TABLE_ACCESS } from '../../infra/function-access.js';
import { FUNCTIONS, type FunctionName, type FunctionSpec } from '../../lib/http/routes.js';

/**
 * Least privilege, checked against the code: every IAM action a function's role allows must be
 * needed by an AWS SDK command its bundle contains (or by the platform acting for it: logs,
 * X-Ray, the stream and the dead-letter queue). The bundle is what esbuild keeps of the entry
 * with the SDK external, as CDK builds it, so the commands are those the code can reach.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const NAMES = Object.keys(FUNCTIONS) as FunctionName[];

/** The IAM service prefix of each SDK client the functions may import. */
const SDK_SERVICES: Record<string, string> = {
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-sesv2': 'ses',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-eventbridge': 'events',
  '@aws-sdk/client-sfn': 'states',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
};
/** SDK modules without commands. */
const NO_COMMANDS = new Set(['@aws-sdk/util-dynamodb']);

/** Commands whose IAM actions are not `<service>:<command name>`: authorised item by item. */
const ACTIONS_OF: Record<string, readonly string[]> = {
  'dynamodb:TransactWriteItems': [
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:ConditionCheckItem',
  ],
  'dynamodb:TransactGetItems': ['dynamodb:GetItem'],
};

interface SdkImport {
  module: string;
  names: string[];
}

/** The named imports of `@aws-sdk/*` modules left in an ESM bundle (they are external). */
function sdkImports(code: string): SdkImport[] {
  return [...code.matchAll(/import\s*\{([^}]*)\}\s*from\s*["'](@aws-sdk\/[^"']+)["']/g)].map((m) => ({
    module: m[2],
    names: m[1]
      .split(',')
      .map((n) => n.trim().split(/\s+as\s+/)[0])
      .filter(Boolean),
  }));
}

/** The IAM actions the SDK commands among the imports need. Throws on an unmapped client. */
function actionsOfImports(imports: SdkImport[]): Set<string> {
  const actions = new Set<string>();
  for (const { module, names } of imports) {
    if (NO_COMMANDS.has(module)) continue;
    const service = SDK_SERVICES[module];
    if (!service) throw new Error(`${module} is not mapped to an IAM service in iam-usage.test.ts`);
    for (const name of names) {
      if (!name.endsWith('Command')) continue;
      const action = `${service}:${name.slice(0, -'Command'.length)}`;
      for (const a of ACTIONS_OF[action] ?? [action]) actions.add(a);
    }
  }
  return actions;
}

/** Granted actions that are neither used by the code nor the platform's. */
function unusedGrants(granted: string[], used: Set<string>, platform: Set<string>): string[] {
  return [...new Set(granted)].filter((a) => !used.has(a) && !platform.has(a)).sort();
}

/** Actions the platform needs on the function's behalf, by how it is invoked and what it stores. */
function platformActions(name: FunctionName): Set<string> {
  const spec = FUNCTIONS[name] as FunctionSpec;
  const table = TABLE_ACCESS[name];
  return new Set([
    // Its own log group (checked in stacks.test.ts) and X-Ray tracing.
    'logs:CreateLogStream',
    'logs:PutLogEvents',
    'xray:PutTraceSegments',
    'xray:PutTelemetryRecords',
    // DynamoDB uses the table's customer-managed key for the caller (kms:ViaService condition).
    ...(table.read.length + table.write.length > 0 ? ['kms:Decrypt', 'kms:DescribeKey'] : []),
    ...(table.write.length > 0 ? ['kms:Encrypt', 'kms:GenerateDataKey'] : []),
    // The event source mapping reads the stream with the function's role (records are encrypted)
    // and writes to its on-failure queue.
    ...(spec.trigger === 'stream'
      ? [
          'dynamodb:DescribeStream',
          'dynamodb:GetRecords',
          'dynamodb:GetShardIterator',
          'dynamodb:ListStreams',
          'kms:Decrypt',
          ...SQS_SEND,
        ]
      : []),
    // Lambda's on-failure destination for asynchronous invocations writes with the function's role.
    ...(spec.trigger === 'event' ? SQS_SEND : []),
  ]);
}

const SQS_SEND = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];

type Statement = { Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown> };
const logicalId = (construct: IConstruct) =>
  Stack.of(construct).getLogicalId((construct.node.defaultChild ?? construct) as never);

describe('IAM actions against the code that uses them', () => {
  let built: StageflowApp;
  let granted: Record<FunctionName, string[]>;
  let statements: Record<FunctionName, Statement[]>;
  let used: Record<FunctionName, Set<string>>;

  beforeAll(async () => {
    const context = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')).context;
    // With a sender, so the send grant exists.
    built = buildApp(
      { ...context, 'aws:cdk:bundling-stacks': [], 'stageflow:sender': 'mail.shop.example' },
      { cloudFormationValidation: false },
    );
    const template = Template.fromStack(built.stateless);
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy') as Record<string, { Properties: Record<string, never> }>,
    );
    statements = Object.fromEntries(
      NAMES.map((name) => {
        const role = logicalId(built.stateless.functions[name].role!);
        return [
          name,
          policies
            .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
            .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement),
        ];
      }),
    ) as Record<FunctionName, Statement[]>;
    granted = Object.fromEntries(
      NAMES.map((name) => [
        name,
        statements[name].flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])),
      ]),
    ) as Record<FunctionName, string[]>;

    // The same esbuild options CDK's NodejsFunction gets (infra/lambda-functions.ts), unminified.
    const bundles = await Promise.all(
      NAMES.map((name) =>
        build({
          entryPoints: [join(ROOT, FUNCTIONS[name].entry)],
          bundle: true,
          write: false,
          format: 'esm',
          platform: 'node',
          target: 'node24',
          mainFields: ['module', 'main'],
          external: ['@aws-sdk/*'],
          logLevel: 'silent',
        }),
      ),
    );
    used = Object.fromEntries(
      NAMES.map((name, i) => [name, actionsOfImports(sdkImports(bundles[i].outputFiles[0].text))]),
    ) as Record<FunctionName, Set<string>>;
  });

  it('grants no function an action its code does not use', () => {
    const unused = NAMES.flatMap((name) =>
      unusedGrants(granted[name], used[name], platformActions(name)).map((a) => `${name}: ${a}`),
    );
    expect(unused).toEqual([]);
  });

  it("limits the analytics report function's PutItem to the funnel and credit partitions (LeadingKeys)", () => {
    const puts = statements.analytics.filter((s) => [s.Action].flat().includes('dynamodb:PutItem'));
    expect(puts).toHaveLength(1);
    expect(puts[0].Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['AGG#v4#funnel#*', 'AGG#v4#credit#*'] },
    });
    expect([puts[0].Action].flat()).toEqual(['dynamodb:PutItem']);
  });

  it('grants every table action TABLE_ACCESS lists, and the code uses each one', () => {
    for (const name of NAMES) {
      const { read, write } = TABLE_ACCESS[name];
      for (const action of [...read, ...write]) {
        expect(granted[name], `${name} ${action}`).toContain(action);
        expect([...used[name]], `${name} ${action}`).toContain(action);
      }
    }
  });

  it('finds the commands a bundle uses, and flags a grant nothing uses (self-test)', () => {
    const imports = sdkImports(
      'import { GetItemCommand, TransactWriteItemsCommand as T2, DynamoDBClient } from "@aws-sdk/client-dynamodb";\n' +
        'import{SendEmailCommand}from"@aws-sdk/client-sesv2";',
    );
    const actions = actionsOfImports(imports);
    expect([...actions].sort()).toEqual(
      [
        'dynamodb:ConditionCheckItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'ses:SendEmail',
      ].sort(),
    );
    expect(unusedGrants(['dynamodb:GetItem', 'dynamodb:Scan', 'ses:SendEmail'], actions, new Set())).toEqual([
      'dynamodb:Scan',
    ]);
    expect(() => actionsOfImports([{ module: '@aws-sdk/client-s3', names: ['GetObjectCommand'] }])).toThrow(
      /client-s3/,
    );
  });
});
