import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { ANALYTICS_FILTER_PATTERN } from '../lib/analytics/stream-filter.js';
import { StreamConsumer } from './stream-consumer.js';

/**
 * The projector is the stream's second reader (the outbox relay is the first; DynamoDB Streams
 * allows two per shard). Retries are bounded by record age: a record older than 12 hours goes
 * to the dead-letter queue, and `npm run analytics:rebuild` recomputes that customer.
 */
export const PROJECTOR_EVENT_SOURCE = {
  batchSize: 100,
  /**
   * Waits up to three seconds to fill a batch: a fuller batch sums more customers' changes to
   * the same day items into one write and needs fewer in-flight marks. Bench (f) prices one
   * `/v1/import` request's changes per batch, which a window longer than an import allows.
   * Figures for people lose nothing in three seconds.
   */
  maxBatchingWindow: Duration.seconds(3),
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
export class AnalyticsPipeline extends StreamConsumer {
  constructor(scope: Construct, id: string, props: AnalyticsPipelineProps) {
    super(scope, id, {
      ...props,
      consumer: props.projector,
      name: 'analytics-projector',
      source: PROJECTOR_EVENT_SOURCE,
      filter: ANALYTICS_FILTER_PATTERN as unknown as Record<string, unknown>,
      deadLetterReason:
        'This queue is itself the dead-letter queue (on-failure destination) of the analytics projector.',
      deadLetterAlarm:
        'Profile changes the analytics projector gave up on: their customers’ figures are stale. The message ' +
        'names the shard and sequence numbers; run `npm run analytics:rebuild -- --stage <stage>` once fixed.',
      lagAlarm:
        'The analytics projector lags behind the table stream: reports answer with a large lagSeconds.',
    });
  }
}
