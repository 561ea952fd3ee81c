import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  EventSourceMapping,
  FilterCriteria,
  type Function as LambdaFunction,
  StartingPosition,
} from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ANALYTICS_FILTER_PATTERN } from '../lib/analytics/stream-filter.js';

/**
 * The projector is the stream's second reader (the outbox relay is the first; DynamoDB Streams
 * allows two per shard). Retries are bounded by record age: a record older than 12 hours goes
 * to the dead-letter queue, and `npm run analytics:rebuild` recomputes that customer.
 */
export const PROJECTOR_EVENT_SOURCE = {
  batchSize: 100,
  /** Waits up to a second to fill a batch: fewer in-flight marks per touchpoint (bench f). */
  maxBatchingWindow: Duration.seconds(1),
  retryAttempts: 10_000,
  maxRecordAge: Duration.hours(12),
  parallelizationFactor: 1,
  /** Figures this late are worth a page: lagSeconds in every answer says the same. */
  iteratorAgeAlarm: Duration.minutes(15),
} as const;

export interface AnalyticsPipelineProps {
  stage: string;
  /** functions/project-analytics.ts (FUNCTIONS.projectAnalytics). */
  projector: LambdaFunction;
  table: ITable;
  dataKey: IKey;
  alarmTopic: ITopic;
}

/** The table's stream, filtered to profile changes, to the analytics projector, with its DLQ and alarms. */
export class AnalyticsPipeline extends Construct {
  readonly deadLetterQueue: Queue;
  readonly eventSource: EventSourceMapping;

  constructor(scope: Construct, id: string, props: AnalyticsPipelineProps) {
    super(scope, id);
    const { projector, table, stage } = props;
    if (!table.tableStreamArn) throw new Error('AnalyticsPipeline needs a table with a stream');
    projector.addToRolePolicy(
      new PolicyStatement({
        actions: [
          'dynamodb:DescribeStream',
          'dynamodb:GetRecords',
          'dynamodb:GetShardIterator',
          'dynamodb:ListStreams',
        ],
        resources: [table.tableStreamArn],
      }),
    );
    projector.addToRolePolicy(
      new PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.dataKey.keyArn] }),
    );

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: `stageflow-${stage}-analytics-projector-dlq`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue (on-failure destination) of the analytics projector.',
    });

    this.eventSource = new EventSourceMapping(this, 'StreamEventSource', {
      target: projector,
      eventSourceArn: table.tableStreamArn,
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: PROJECTOR_EVENT_SOURCE.batchSize,
      maxBatchingWindow: PROJECTOR_EVENT_SOURCE.maxBatchingWindow,
      parallelizationFactor: PROJECTOR_EVENT_SOURCE.parallelizationFactor,
      reportBatchItemFailures: true,
      bisectBatchOnError: true,
      retryAttempts: PROJECTOR_EVENT_SOURCE.retryAttempts,
      maxRecordAge: PROJECTOR_EVENT_SOURCE.maxRecordAge,
      onFailure: new SqsDlq(this.deadLetterQueue),
      filters: [FilterCriteria.filter(ANALYTICS_FILTER_PATTERN as unknown as Record<string, unknown>)],
    });

    const action = new SnsAction(props.alarmTopic);
    const period = Duration.minutes(5);
    const alarms = [
      new Alarm(this, 'DeadLetterAlarm', {
        alarmName: `stageflow-${stage}-analytics-projector-dlq`,
        alarmDescription:
          'Profile changes the analytics projector gave up on: their customers’ figures are stale. The message ' +
          'names the shard and sequence numbers; run `npm run analytics:rebuild -- --stage <stage>` once fixed.',
        metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period,
          statistic: 'Maximum',
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'IteratorAgeAlarm', {
        alarmName: `stageflow-${stage}-analytics-projector-lag`,
        alarmDescription:
          'The analytics projector lags behind the table stream: reports answer with a large lagSeconds.',
        metric: projector.metric('IteratorAge', { period, statistic: 'Maximum' }),
        threshold: PROJECTOR_EVENT_SOURCE.iteratorAgeAlarm.toMilliseconds(),
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const alarm of alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }
}
