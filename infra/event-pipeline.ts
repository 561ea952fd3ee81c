import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
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
import { OUTBOX_FILTER_PATTERN } from '../lib/events/outbox-filter.js';

/**
 * How the table's stream feeds the relay. Retries are bounded by record age rather than by
 * attempts: during a long EventBridge outage the relay keeps retrying (it publishes nothing
 * out of order meanwhile), and only records older than `maxRecordAge` go to the dead-letter
 * queue, half-way through the stream's 24 h retention so they can still be read back from it.
 */
export const RELAY_EVENT_SOURCE = {
  batchSize: 100,
  retryAttempts: 10_000,
  maxRecordAge: Duration.hours(12),
  /** One batch per shard at a time: the relay's ordering guarantee depends on it. */
  parallelizationFactor: 1,
  /** An iterator this old means events reach the flows late; the alarm says so. */
  iteratorAgeAlarm: Duration.minutes(5),
} as const;

export interface EventPipelineProps {
  stage: string;
  /** functions/relay-outbox.ts as the stateless stack builds it (FUNCTIONS.relayOutbox). */
  relay: LambdaFunction;
  /** The journey table; its stream carries the outbox items. */
  table: ITable;
  /** The table's key, which also encrypts the stream. */
  dataKey: IKey;
  /** The custom bus `stageflow-<stage>` (with its archive) of the stateful stack. */
  bus: IEventBus;
  alarmTopic: ITopic;
}

/**
 * The outbox's way to the bus: the table's stream, filtered to new outbox items, invokes the
 * relay, which reports partial batch failures; what the stream gives up on lands in an
 * encrypted dead-letter queue with an alarm. The relay may put events on the bus and
 * nowhere else, and reads the stream, never the table.
 */
export class EventPipeline extends Construct {
  readonly deadLetterQueue: Queue;
  readonly eventSource: EventSourceMapping;

  constructor(scope: Construct, id: string, props: EventPipelineProps) {
    super(scope, id);
    const { relay, table, bus, stage } = props;
    if (!table.tableStreamArn) throw new Error('EventPipeline needs a table with a stream');

    relay.addEnvironment('EVENT_BUS_NAME', bus.eventBusName);
    bus.grantPutEventsTo(relay);
    // The four actions the event source mapping checks for with the function's role, on this
    // table's current stream only (AWSLambdaDynamoDBExecutionRole and CDK's grantStreamRead
    // grant ListStreams on "*").
    relay.addToRolePolicy(
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
    // Stream records are encrypted with the table's key. No kms:ViaService condition here:
    // the streams endpoint is not the one the table functions' condition names.
    relay.addToRolePolicy(
      new PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.dataKey.keyArn] }),
    );

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: `stageflow-${stage}-outbox-relay-dlq`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue (on-failure destination) of the outbox relay.',
    });

    this.eventSource = new EventSourceMapping(this, 'StreamEventSource', {
      target: relay,
      eventSourceArn: table.tableStreamArn,
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: RELAY_EVENT_SOURCE.batchSize,
      parallelizationFactor: RELAY_EVENT_SOURCE.parallelizationFactor,
      reportBatchItemFailures: true,
      bisectBatchOnError: true,
      retryAttempts: RELAY_EVENT_SOURCE.retryAttempts,
      maxRecordAge: RELAY_EVENT_SOURCE.maxRecordAge,
      onFailure: new SqsDlq(this.deadLetterQueue),
      filters: [FilterCriteria.filter(OUTBOX_FILTER_PATTERN as unknown as Record<string, unknown>)],
    });

    const action = new SnsAction(props.alarmTopic);
    const period = Duration.minutes(5);
    const dlqAlarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmName: `stageflow-${stage}-outbox-relay-dlq`,
      alarmDescription:
        'Outbox records the stream gave up on: their events were not published. The message names the ' +
        'shard and sequence numbers; the outbox items stay in the table until their TTL (7 days).',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const lagAlarm = new Alarm(this, 'IteratorAgeAlarm', {
      alarmName: `stageflow-${stage}-outbox-relay-lag`,
      alarmDescription:
        'The outbox relay lags behind the table stream (the bus may be failing): stage events reach the flows late.',
      metric: relay.metric('IteratorAge', { period, statistic: 'Maximum' }),
      threshold: RELAY_EVENT_SOURCE.iteratorAgeAlarm.toMilliseconds(),
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [dlqAlarm, lagAlarm]) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }
}
