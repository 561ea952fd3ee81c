import {
  type AttributeValue,
  BatchGetItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { keys } from '../storage/table.js';
import { CONSENT_TRAITS } from './consent.js';
import type { ConsentSnapshot, ConsentStore, Suppression } from './ports.js';

type Item = Record<string, AttributeValue>;
const m = (value: Record<string, unknown>): Item => marshall(value, { removeUndefinedValues: true });

/**
 * Consent in the table: `C#<id>/CONSENT` beside (never inside) the journey profile, so an
 * unsubscribe never races ingest's optimistic lock; suppressions under `SUP#<sha256(address)>`.
 */
export class DynamoDbConsentStore implements ConsentStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async snapshot(customerId: string, addressHash: string | null): Promise<ConsentSnapshot> {
    const wanted = [
      { pk: keys.customer(customerId), sk: keys.profileSk },
      { pk: keys.customer(customerId), sk: keys.consentSk },
      ...(addressHash ? [{ pk: keys.suppression(addressHash), sk: keys.suppressionSk }] : []),
    ];
    let pending: Item[] = wanted.map(m);
    const items: Record<string, unknown>[] = [];
    for (let attempt = 0; pending.length > 0 && attempt < 10; attempt++) {
      const out = await this.client.send(
        new BatchGetItemCommand({
          RequestItems: {
            [this.tableName]: {
              Keys: pending,
              ConsistentRead: true,
              // Only the consent and locale traits of the profile, not the whole journey state.
              ProjectionExpression: `pk, sk, entity, unsubscribedAt, addressHash, reason, detail, #at, sesMessageId, feedbackId, #state.#traits.${CONSENT_TRAITS.marketing}, #state.#traits.${CONSENT_TRAITS.email}, #state.#traits.locale`,
              ExpressionAttributeNames: { '#state': 'state', '#traits': 'traits', '#at': 'at' },
            },
          },
        }),
      );
      for (const item of out.Responses?.[this.tableName] ?? []) items.push(unmarshall(item));
      pending = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    const profile = items.find((i) => i.sk === keys.profileSk);
    const consent = items.find((i) => i.sk === keys.consentSk);
    const suppression = items.find((i) => i.sk === keys.suppressionSk);
    return {
      profileExists: profile !== undefined,
      traits: ((profile?.state as { traits?: Record<string, unknown> } | undefined)?.traits ?? {}) as Record<
        string,
        unknown
      >,
      unsubscribedAt: consent?.unsubscribedAt as string | undefined,
      suppression: suppression ? toSuppression(suppression) : null,
    };
  }

  async unsubscribe(customerId: string, at: string, method: string): Promise<'ok' | 'no-customer'> {
    const pk = keys.customer(customerId);
    try {
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: m({ pk, sk: keys.profileSk }),
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: m({ pk, sk: keys.consentSk }),
                UpdateExpression:
                  'SET entity = :entity, customerId = :id, unsubscribedAt = if_not_exists(unsubscribedAt, :at), #method = if_not_exists(#method, :method), updatedAt = :at',
                ExpressionAttributeNames: { '#method': 'method' },
                ExpressionAttributeValues: m({
                  ':entity': 'consent',
                  ':id': customerId,
                  ':at': at,
                  ':method': method,
                }),
              },
            },
          ],
        }),
      );
      return 'ok';
    } catch (error) {
      if (
        error instanceof TransactionCanceledException &&
        error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
      ) {
        return 'no-customer';
      }
      throw error;
    }
  }

  async suppress(s: Suppression): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: m({
            pk: keys.suppression(s.addressHash),
            sk: keys.suppressionSk,
            entity: 'suppression',
            ...s,
          }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}

function toSuppression(item: Record<string, unknown>): Suppression {
  return {
    addressHash: item.addressHash as string,
    reason: item.reason as Suppression['reason'],
    detail: item.detail as string,
    at: item.at as string,
    ...(item.sesMessageId ? { sesMessageId: item.sesMessageId as string } : {}),
    ...(item.feedbackId ? { feedbackId: item.feedbackId as string } : {}),
  };
}
