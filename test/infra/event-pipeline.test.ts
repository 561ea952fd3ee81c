import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type StageflowApp } from '../../infra/build-app.js';
import { ANALYTICS_FILTER_PATTERN } from '../../lib/analytics/stream-filter.js';
import { OUTBOX_FILTER_PATTERN } from '../../lib/events/outbox-filter.js';
import { FUNCTIONS, type FunctionName } from '../../lib/http/routes.js';

const ROOT = resolve(import.meta.dirname, '../..');

// biome-ignore lint/suspicious/noExplicitAny: template JSON, read by path in assertions
type Json = Record<string, any>;
type Resources = Record<string, { Type: string; Properties: Json }>;
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

const logicalId = (construct: IConstruct) =>
  Stack.of(construct).getLogicalId((construct.node.defaultChild ?? construct) as never);
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('Construct: EventPipeline (outbox → stream → relay → bus), in the dev app', () => {
  let built: StageflowApp;
  let stateless: Template;
  let relayRole: string;
  const statementsOf = (roleLogicalId: string): Statement[] =>
    Object.values(stateless.findResources('AWS::IAM::Policy') as Resources)
      .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleLogicalId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
  const importOf = (pattern: RegExp) => ({ 'Fn::ImportValue': expect.stringMatching(pattern) });

  const mappingOf = (name: FunctionName) =>
    Object.values(stateless.findResources('AWS::Lambda::EventSourceMapping') as Resources).find(
      (m) => m.Properties.FunctionName.Ref === logicalId(built.stateless.functions[name]),
    )!;

  beforeAll(() => {
    const context = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')).context;
    // Bundling is not what these assertions look at.
    built = buildApp({ ...context, 'aws:cdk:bundling-stacks': [] }, { cloudFormationValidation: false });
    stateless = Template.fromStack(built.stateless);
    relayRole = logicalId(built.stateless.functions.relayOutbox.role!);
  });

  it('relays the table stream to the relay function with the shared outbox filter', () => {
    // Prepare
    const mapping = mappingOf('relayOutbox');

    // Assess: the relay and the analytics projector, the two readers a stream allows per shard.
    stateless.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    expect(mapping.Properties).toMatchObject({
      FunctionName: { Ref: logicalId(built.stateless.functions.relayOutbox) },
      EventSourceArn: importOf(/StreamArn/),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10_000,
      MaximumRecordAgeInSeconds: 12 * 3600,
    });
    expect(mapping.Properties.FilterCriteria.Filters).toHaveLength(1);
    expect(JSON.parse(mapping.Properties.FilterCriteria.Filters[0].Pattern)).toEqual(OUTBOX_FILTER_PATTERN);
  });

  it('sends what the stream gives up on to an encrypted, TLS-only dead-letter queue', () => {
    const mapping = mappingOf('relayOutbox');
    const queues = stateless.findResources('AWS::SQS::Queue') as Resources;
    const dlqId = logicalId(
      built.stateless.node.findChild('EventPipeline').node.findChild('DeadLetterQueue'),
    );

    expect(mapping.Properties.DestinationConfig).toEqual({
      OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
    });
    expect(queues[dlqId].Properties).toMatchObject({
      QueueName: 'stageflow-dev-outbox-relay-dlq',
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    const policies = Object.values(stateless.findResources('AWS::SQS::QueuePolicy') as Resources);
    const dlqPolicy = policies.find((p) => p.Properties.Queues[0].Ref === dlqId);
    expect(dlqPolicy?.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    expect(statementsOf(relayRole)).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining(['sqs:SendMessage']),
        Resource: { 'Fn::GetAtt': [dlqId, 'Arn'] },
      }),
    );
  });

  it('lets the relay put events on the Stageflow bus only, read the stream, and not touch the table', () => {
    const statements = statementsOf(relayRole);

    const putEvents = statements.filter((s) => actions(s).includes('events:PutEvents'));
    expect(putEvents.map((s) => s.Resource)).toEqual([importOf(/EventBus/)]);
    const stream = statements.filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')));
    expect(stream).toEqual([
      expect.objectContaining({
        Action: [
          'dynamodb:DescribeStream',
          'dynamodb:GetRecords',
          'dynamodb:GetShardIterator',
          'dynamodb:ListStreams',
        ],
        Resource: importOf(/StreamArn/),
      }),
    ]);
    const kms = statements.filter((s) => actions(s).some((a) => a.startsWith('kms:')));
    expect(kms.flatMap(actions)).toEqual(['kms:Decrypt']);
  });

  it('gives the relay its bus name, and no other function the right to publish but issueRewards', () => {
    const fn = (stateless.findResources('AWS::Lambda::Function') as Resources)[
      logicalId(built.stateless.functions.relayOutbox)
    ];
    expect(fn.Properties.Environment.Variables.EVENT_BUS_NAME).toEqual(importOf(/EventBus/));

    // issueRewards raises Reward Issued (SERVICE_ACCESS.putEvents; test/infra/flows-and-mail.test.ts).
    const others = (Object.keys(FUNCTIONS) as FunctionName[]).filter(
      (n) => n !== 'relayOutbox' && n !== 'issueRewards',
    );
    for (const name of others) {
      const role = logicalId(built.stateless.functions[name].role!);
      expect(statementsOf(role).flatMap(actions), name).not.toContain('events:PutEvents');
    }
  });

  it('alarms to the alarm topic on a dead letter and on a relay that lags behind the stream', () => {
    const alarms = Object.values(stateless.findResources('AWS::CloudWatch::Alarm') as Resources);
    const topic = [{ 'Fn::ImportValue': expect.stringContaining('AlarmTopic') }];
    const dlq = alarms.find((a) => a.Properties.AlarmName === 'stageflow-dev-outbox-relay-dlq');
    const lag = alarms.find((a) => a.Properties.AlarmName === 'stageflow-dev-outbox-relay-lag');

    expect(dlq?.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: topic,
    });
    expect(lag?.Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Statistic: 'Maximum',
      Threshold: 5 * 60_000,
      AlarmActions: topic,
    });
  });

  it('feeds profile changes to the analytics projector, with its own DLQ and alarms', () => {
    const mapping = mappingOf('projectAnalytics');
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: importOf(/StreamArn/),
      StartingPosition: 'TRIM_HORIZON',
      ParallelizationFactor: 1,
      MaximumBatchingWindowInSeconds: 3,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRecordAgeInSeconds: 12 * 3600,
    });
    expect(JSON.parse(mapping.Properties.FilterCriteria.Filters[0].Pattern)).toEqual(
      ANALYTICS_FILTER_PATTERN,
    );
    const dlqId = logicalId(
      built.stateless.node.findChild('AnalyticsPipeline').node.findChild('DeadLetterQueue'),
    );
    expect(mapping.Properties.DestinationConfig).toEqual({
      OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
    });
    const alarms = Object.values(stateless.findResources('AWS::CloudWatch::Alarm') as Resources);
    const names = alarms.map((a) => a.Properties.AlarmName);
    expect(names).toEqual(
      expect.arrayContaining([
        'stageflow-dev-analytics-projector-dlq',
        'stageflow-dev-analytics-projector-lag',
      ]),
    );
    const dashboard = JSON.stringify(stateless.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard).toContain('Analytics projector lag');
  });
});
