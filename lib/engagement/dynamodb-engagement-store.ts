import {
  type DynamoDBClient,
  GetItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { keys } from '../storage/table.js';
import { applyEvent, type Engagement } from './engagement.js';
import { metricCounterKey } from './metric-counters.js';
import type { ApplyOutcome, EngagementStore, EngagementUpdate, TrackedMessage } from './ports.js';

const MAX_ATTEMPTS = 30;
const messageSk = (runId: string, step: number) => `MSG#${runId}#${String(step).padStart(2, '0')}`;

/**
 * Engagement on the message item (`engagement`, beside the send claim's `status`), written with
 * an optimistic lock in one transaction with the campaign counters it moves and a check that
 * the customer still exists: a counter moves exactly when the state it counts first changes,
 * and an event for an erased customer writes nothing at all.
 */
export class DynamoDbEngagementStore implements EngagementStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly timeZone: string,
  ) {}

  async apply(update: EngagementUpdate): Promise<ApplyOutcome> {
    const { customerId, runId, step } = update.key;
    const key = { pk: keys.customer(customerId), sk: messageSk(runId, step) };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const out = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: marshall(key), ConsistentRead: true }),
      );
      if (!out.Item) return { result: (await this.customerExists(customerId)) ? 'unknown' : 'gone' };
      const item = unmarshall(out.Item);
      const current = item.engagement as Engagement | undefined;
      const message = (engagement: Engagement): TrackedMessage => ({
        campaignId: String(item.campaignId),
        flow: String(item.flow),
        template: String(item.template ?? ''),
        at: String(item.at),
        step,
        engagement,
      });
      const applied = applyEvent(current, update);
      if (!applied) return { result: 'duplicate', message: message(current!) };
      const writes: TransactWriteItem[] = [
        {
          ConditionCheck: {
            TableName: this.tableName,
            Key: marshall({ pk: keys.customer(customerId), sk: keys.profileSk }),
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
        {
          Update: {
            TableName: this.tableName,
            Key: marshall(key),
            UpdateExpression: 'SET engagement = :e',
            ConditionExpression: current
              ? 'attribute_exists(pk) AND engagement.version = :v'
              : 'attribute_exists(pk) AND attribute_not_exists(engagement)',
            ExpressionAttributeValues: marshall(
              { ':e': applied.engagement, ...(current ? { ':v': current.version } : {}) },
              { removeUndefinedValues: true },
            ),
          },
        },
      ];
      const counters = Object.entries(applied.counters);
      if (counters.length > 0) writes.push(this.counterUpdate(customerId, item, step, counters));
      try {
        await this.client.send(new TransactWriteItemsCommand({ TransactItems: writes }));
        return { result: 'applied', message: message(applied.engagement) };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return { result: 'gone' };
        // Another event of the same message won the race (or a send record rewrote it): again.
        const retry = reasons.some(
          (r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict',
        );
        if (!retry) throw error;
        await new Promise((r) => setTimeout(r, Math.random() * 10 * (attempt + 1)));
      }
    }
    throw new Error(`engagement of message ${runId}#${step} stayed contended`);
  }

  private counterUpdate(
    customerId: string,
    item: Record<string, unknown>,
    step: number,
    counters: [string, number | undefined][],
  ): TransactWriteItem {
    const campaignId = String(item.campaignId);
    const at = metricCounterKey(campaignId, String(item.at), step, customerId, this.timeZone);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {
      ':entity': 'campaignMetric',
      ':campaignId': campaignId,
      ':day': at.day,
      ':step': at.step,
    };
    const adds = counters.map(([name, n], i) => {
      names[`#c${i}`] = name;
      values[`:c${i}`] = n ?? 0;
      return `#c${i} :c${i}`;
    });
    return {
      Update: {
        TableName: this.tableName,
        Key: marshall({ pk: at.pk, sk: at.sk }),
        UpdateExpression: `ADD ${adds.join(', ')} SET entity = :entity, campaignId = :campaignId, #day = :day, #step = :step`,
        ExpressionAttributeNames: { ...names, '#day': 'day', '#step': 'step' },
        ExpressionAttributeValues: marshall(values),
      },
    };
  }

  private async customerExists(customerId: string): Promise<boolean> {
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: keys.customer(customerId), sk: keys.profileSk }),
        ProjectionExpression: 'pk',
      }),
    );
    return out.Item !== undefined;
  }
}
