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

/** How a function reads the table's stream (an event source mapping's settings). */
export interface StreamSource {
  batchSize: number;
  maxBatchingWindow?: Duration;
  retryAttempts: number;
  maxRecordAge: Duration;
  parallelizationFactor: number;
  /** The iterator age that raises the lag alarm. */
  iteratorAgeAlarm: Duration;
}

export interface StreamConsumerProps {
  stage: string;
  /** The function the stream invokes. */
  consumer: LambdaFunction;
  /** The journey table, with its stream. */
  table: ITable;
  /** The table's key, which also encrypts the stream. */
  dataKey: IKey;
  alarmTopic: ITopic;
  /** `outbox-relay`, `analytics-projector`: names the queue and the alarms. */
  name: string;
  source: StreamSource;
  /** The records the consumer gets (an event filter pattern). */
  filter: Record<string, unknown>;
  /** Why the queue needs no dead-letter queue of its own (cdk-nag). */
  deadLetterReason: string;
  deadLetterAlarm: string;
  lagAlarm: string;
}

/**
 * A reader of the table's stream: its stream and key grants, an encrypted dead-letter queue
 * for what the stream gives up on, the event source mapping (partial batch failures,
 * bisection, retries bounded by record age) and the dead-letter and lag alarms. The outbox
 * relay (EventPipeline) and the analytics projector (AnalyticsPipeline) are the two;
 * DynamoDB Streams allows two readers per shard.
 */
export class StreamConsumer extends Construct {
  readonly deadLetterQueue: Queue;
  readonly eventSource: EventSourceMapping;

  constructor(scope: Construct, id: string, props: StreamConsumerProps, prepare?: () => void) {
    super(scope, id);
    const { consumer, table, stage, name, source } = props;
    if (!table.tableStreamArn) throw new Error(`${id} needs a table with a stream`);
    prepare?.();
    // The four actions the event source mapping checks for with the function's role, on this
    // table's current stream only (AWSLambdaDynamoDBExecutionRole and CDK's grantStreamRead
    // grant ListStreams on "*").
    consumer.addToRolePolicy(
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
    consumer.addToRolePolicy(
      new PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.dataKey.keyArn] }),
    );

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: `stageflow-${stage}-${name}-dlq`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: props.deadLetterReason,
    });

    this.eventSource = new EventSourceMapping(this, 'StreamEventSource', {
      target: consumer,
      eventSourceArn: table.tableStreamArn,
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: source.batchSize,
      ...(source.maxBatchingWindow ? { maxBatchingWindow: source.maxBatchingWindow } : {}),
      parallelizationFactor: source.parallelizationFactor,
      reportBatchItemFailures: true,
      bisectBatchOnError: true,
      retryAttempts: source.retryAttempts,
      maxRecordAge: source.maxRecordAge,
      onFailure: new SqsDlq(this.deadLetterQueue),
      filters: [FilterCriteria.filter(props.filter)],
    });

    const action = new SnsAction(props.alarmTopic);
    const period = Duration.minutes(5);
    const alarms = [
      new Alarm(this, 'DeadLetterAlarm', {
        alarmName: `stageflow-${stage}-${name}-dlq`,
        alarmDescription: props.deadLetterAlarm,
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
        alarmName: `stageflow-${stage}-${name}-lag`,
        alarmDescription: props.lagAlarm,
        metric: consumer.metric('IteratorAge', { period, statistic: 'Maximum' }),
        threshold: source.iteratorAgeAlarm.toMilliseconds(),
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
