import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { OUTBOX_FILTER_PATTERN } from '../lib/events/outbox-filter.js';
import { StreamConsumer } from './stream-consumer.js';

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
export class EventPipeline extends StreamConsumer {
  constructor(scope: Construct, id: string, props: EventPipelineProps) {
    const { relay, bus } = props;
    super(
      scope,
      id,
      {
        ...props,
        consumer: relay,
        name: 'outbox-relay',
        source: RELAY_EVENT_SOURCE,
        filter: OUTBOX_FILTER_PATTERN as unknown as Record<string, unknown>,
        deadLetterReason:
          'This queue is itself the dead-letter queue (on-failure destination) of the outbox relay.',
        deadLetterAlarm:
          'Outbox records the stream gave up on: their events were not published. The message names the ' +
          'shard and sequence numbers; the outbox items stay in the table until their TTL (7 days).',
        lagAlarm:
          'The outbox relay lags behind the table stream (the bus may be failing): stage events reach the flows late.',
      },
      () => {
        relay.addEnvironment('EVENT_BUS_NAME', bus.eventBusName);
        bus.grantPutEventsTo(relay);
      },
    );
  }
}
