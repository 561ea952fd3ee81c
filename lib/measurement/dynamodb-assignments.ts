import { type DynamoDBClient, GetItemCommand, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { queryPartition, transactWhileCustomerExists } from '../storage/dynamodb-io.js';
import { keys } from '../storage/table.js';
import {
  type Arm,
  type Assignment,
  type CountedTimeOf,
  earliestStanding,
  type GlobalAssignment,
} from './assignment.js';
import { campaignCounterPk, GLOBAL_STATS } from './counters.js';
import { counterUpdate } from './dynamodb-counters.js';
import type { AssignmentStore, GoalHit } from './ports.js';

const ASSIGN = 'ASSIGN#';
const GLOBAL_SK = 'GLOBAL';
const capital = (arm: Arm) => (arm === 'treatment' ? 'Treatment' : 'Control');

/**
 * Assignments live in the customer's partition (`ASSIGN#<campaignId>`, `GLOBAL`), so erasing a
 * customer erases them; every write goes with a check that the customer still exists and with
 * the ADDs to the metric counters it causes, in one transaction.
 */
export class DynamoDbAssignments implements AssignmentStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly timeZone = 'UTC',
  ) {}

  async assign(customerId: string, a: Assignment): Promise<Assignment | null> {
    const sk = `${ASSIGN}${a.campaignId}`;
    const counts: Record<string, number> = { entered: 1, [a.arm]: 1 };
    if (a.arm === 'control') counts.heldOut = 1;
    const outcome = await this.transact(customerId, [
      {
        Put: {
          TableName: this.tableName,
          Item: marshall({ pk: keys.customer(customerId), sk, entity: 'assignment', customerId, ...a }),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { Update: counterUpdate(this.tableName, this.target(a.campaignId, customerId, a.at), counts) },
    ]);
    if (outcome === 'gone') return null;
    if (outcome === 'ok') return a;
    return (await this.get(customerId, sk)) as Assignment | null;
  }

  async assignments(customerId: string): Promise<Assignment[]> {
    const items = await queryPartition(this.client, this.tableName, keys.customer(customerId), {
      prefix: ASSIGN,
    });
    return items.map((item) => this.strip(item) as unknown as Assignment);
  }

  async countGoal(customerId: string, a: Assignment, hit: GoalHit): Promise<boolean> {
    const sk = `${ASSIGN}${a.campaignId}`;
    return this.retryOnCondition(
      this.readIf<Assignment>(customerId, sk, (current) => !current.counted?.includes(hit.touchpointId)),
      (current) => {
        const first = !current.convertedAt;
        const counts: Record<string, number> = {};
        if (first) counts[`converted${capital(current.arm)}`] = 1;
        if (hit.revenue)
          counts[`revenue${capital(current.arm)}#${hit.revenue.currency}`] = hit.revenue.micros;
        return this.transact(customerId, [
          this.markCounted(customerId, sk, hit, first),
          ...this.counterItems(this.target(a.campaignId, customerId, current.at), counts),
        ]);
      },
      `the assignment of ${customerId} in ${a.campaignId}`,
    );
  }

  async enterGlobal(customerId: string, arm: Arm, at: string): Promise<GlobalAssignment | null> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = (await this.get(customerId, GLOBAL_SK)) as GlobalAssignment | null;
      if (current?.arm === arm) return current;
      // New, or moved across the percentage: a fresh assignment, counted in its arm from now.
      const next: GlobalAssignment = { arm, at };
      const outcome = await this.transact(customerId, [
        {
          Put: {
            TableName: this.tableName,
            Item: marshall({
              pk: keys.customer(customerId),
              sk: GLOBAL_SK,
              entity: 'globalControl',
              customerId,
              ...next,
            }),
            ConditionExpression: current ? 'arm = :old AND #at = :at' : 'attribute_not_exists(pk)',
            ...(current
              ? {
                  ExpressionAttributeNames: { '#at': 'at' },
                  ExpressionAttributeValues: marshall({ ':old': current.arm, ':at': current.at }),
                }
              : {}),
          },
        },
        {
          Update: counterUpdate(this.tableName, this.target('global-control', customerId, at, GLOBAL_STATS), {
            [arm]: 1,
          }),
        },
      ]);
      if (outcome === 'gone') return null;
      if (outcome === 'ok') return next;
    }
    throw new Error(`the global control place of ${customerId} stayed contended`);
  }

  async global(customerId: string): Promise<GlobalAssignment | null> {
    return (await this.get(customerId, GLOBAL_SK)) as GlobalAssignment | null;
  }

  /**
   * Counts a purchase in the global experiment once. Welch's interval needs the sum of squares
   * of revenue per customer, so the customer's running total is kept on their item and the
   * square's increase ((x + r)² − x², in micro-units² / 10⁶, kept in cent-sized units) is added.
   */
  async countGlobalPurchase(customerId: string, g: GlobalAssignment, hit: GoalHit): Promise<boolean> {
    return this.retryOnCondition(
      this.readIf<GlobalAssignment>(
        customerId,
        GLOBAL_SK,
        (current) => current.at === g.at && !current.counted?.includes(hit.touchpointId),
      ),
      (current) => {
        const first = !current.convertedAt;
        const counts: Record<string, number> = {};
        if (first) counts[`converted${capital(current.arm)}`] = 1;
        const names: Record<string, string> = {};
        const values: Record<string, unknown> = {};
        let revenueSet = '';
        if (hit.revenue) {
          const { currency, micros } = hit.revenue;
          const before = current.revenue?.[currency] ?? 0;
          const after = before + micros;
          counts[`revenue${capital(current.arm)}#${currency}`] = micros;
          // Squares of micro-units overflow a double's integers; squares of cents do not.
          counts[`revenueSq${capital(current.arm)}#${currency}`] =
            (after / 10_000) ** 2 - (before / 10_000) ** 2;
          names['#rev'] = 'revenue';
          names['#cur'] = currency;
          values[':rev'] = after;
          revenueSet = current.revenue ? ', #rev.#cur = :rev' : ', #rev = :revMap';
          if (!current.revenue) values[':revMap'] = { [currency]: after };
          if (!current.revenue) delete values[':rev'];
          if (!current.revenue) delete names['#cur'];
        }
        const mark = this.markCounted(customerId, GLOBAL_SK, hit, first, {
          revenueSet,
          names,
          values,
          at: current.at,
        });
        return this.transact(customerId, [
          mark,
          ...this.counterItems(this.target('global-control', customerId, current.at, GLOBAL_STATS), counts),
        ]);
      },
      `the global control place of ${customerId}`,
    );
  }

  async uncountGoal(
    customerId: string,
    a: Assignment,
    hit: GoalHit,
    timeOf: CountedTimeOf,
  ): Promise<boolean> {
    const sk = `${ASSIGN}${a.campaignId}`;
    return this.retryOnCondition(
      this.readIf<Assignment>(customerId, sk, (current) => !!current.counted?.includes(hit.touchpointId)),
      (current) =>
        this.takeBack(
          customerId,
          sk,
          current,
          hit,
          earliestStanding(current.counted ?? [], hit.touchpointId, timeOf, current.convertedAt),
          this.target(a.campaignId, customerId, current.at),
        ),
      `the assignment of ${customerId} in ${a.campaignId}`,
    );
  }

  async uncountGlobalPurchase(
    customerId: string,
    g: GlobalAssignment,
    hit: GoalHit,
    timeOf: CountedTimeOf,
  ): Promise<boolean> {
    return this.retryOnCondition(
      this.readIf<GlobalAssignment>(
        customerId,
        GLOBAL_SK,
        (current) => current.at === g.at && !!current.counted?.includes(hit.touchpointId),
      ),
      (current) =>
        this.takeBack(
          customerId,
          GLOBAL_SK,
          current,
          hit,
          earliestStanding(current.counted ?? [], hit.touchpointId, timeOf, current.convertedAt),
          this.target('global-control', customerId, current.at, GLOBAL_STATS),
          true,
        ),
      `the global control place of ${customerId}`,
    );
  }

  /**
   * The optimistic loop of every count and take-back: `read` the item (null: nothing to do,
   * so false), `act` on what was read with a write conditioned on it, and when another write
   * came between (the condition failed) read and act again, five times at most. True when
   * this call's write went through; false when the customer is gone.
   */
  private async retryOnCondition<T>(
    read: () => Promise<T | null>,
    act: (current: T) => Promise<'ok' | 'gone' | 'condition'>,
    what: string,
  ): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await read();
      if (current === null) return false;
      const outcome = await act(current);
      if (outcome !== 'condition') return outcome === 'ok';
    }
    throw new Error(`${what} stayed contended`);
  }

  /** Reads an item (strongly), as `read` for retryOnCondition: null when missing or not `wanted`. */
  private readIf<T>(customerId: string, sk: string, wanted: (current: T) => boolean) {
    return async (): Promise<T | null> => {
      const current = (await this.get(customerId, sk)) as T | null;
      return current && wanted(current) ? current : null;
    };
  }

  /** The metric counters' update of a write, when it changes any. */
  private counterItems(target: ReturnType<DynamoDbAssignments['target']>, counts: Record<string, number>) {
    return Object.keys(counts).length ? [{ Update: counterUpdate(this.tableName, target, counts) }] : [];
  }

  /**
   * Takes a counted goal touchpoint (a purchase since refunded) back out: off the item's
   * `counted`, its revenue subtracted, and the conversion with it when no counted one is left
   * standing (`convertedAt` null) or moved to the next one (earliestStanding of `current`). Conditioned on the list read, so a
   * concurrent count or take-back makes this one re-read.
   */
  private takeBack(
    customerId: string,
    sk: string,
    current: { arm: Arm; counted?: string[]; convertedAt?: string; revenue?: Record<string, number> },
    hit: GoalHit,
    convertedAt: string | null,
    target: ReturnType<DynamoDbAssignments['target']>,
    global = false,
  ) {
    const arm = capital(current.arm);
    const counts: Record<string, number> = {};
    const wasConverted = current.convertedAt !== undefined;
    if (wasConverted && convertedAt === null) counts[`converted${arm}`] = -1;
    if (!wasConverted && convertedAt !== null) counts[`converted${arm}`] = 1;
    const sets = ['#counted = :rest'];
    const names: Record<string, string> = { '#counted': 'counted' };
    const values: Record<string, unknown> = {
      ':rest': (current.counted ?? []).filter((id) => id !== hit.touchpointId),
      ':read': current.counted ?? [],
    };
    if (convertedAt !== null) {
      sets.push('convertedAt = :when');
      values[':when'] = convertedAt;
    }
    if (hit.revenue) {
      const { currency, micros } = hit.revenue;
      counts[`revenue${arm}#${currency}`] = -micros;
      if (global) {
        const before = current.revenue?.[currency] ?? 0;
        const after = Math.max(0, before - micros);
        // As in countGlobalPurchase: squares in cents, the change of this customer's square.
        counts[`revenueSq${arm}#${currency}`] = (after / 10_000) ** 2 - (before / 10_000) ** 2;
        if (current.revenue) {
          sets.push('#rev.#cur = :rev');
          names['#rev'] = 'revenue';
          names['#cur'] = currency;
          values[':rev'] = after;
        }
      }
    }
    const update = `SET ${sets.join(', ')}${convertedAt === null ? ' REMOVE convertedAt' : ''}`;
    return this.transact(customerId, [
      {
        Update: {
          TableName: this.tableName,
          Key: marshall({ pk: keys.customer(customerId), sk }),
          UpdateExpression: update,
          ConditionExpression: 'attribute_exists(pk) AND #counted = :read',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: marshall(values),
        },
      },
      ...this.counterItems(target, counts),
    ]);
  }

  private markCounted(
    customerId: string,
    sk: string,
    hit: GoalHit,
    first: boolean,
    extra: {
      revenueSet: string;
      names: Record<string, string>;
      values: Record<string, unknown>;
      at: string;
    } = {
      revenueSet: '',
      names: {},
      values: {},
      at: '',
    },
  ): TransactWriteItem {
    const conditions = ['attribute_exists(pk)', 'NOT contains(#counted, :tp)'];
    conditions.push(first ? 'attribute_not_exists(convertedAt)' : 'attribute_exists(convertedAt)');
    if (extra.at) conditions.push('#at = :at');
    return {
      Update: {
        TableName: this.tableName,
        Key: marshall({ pk: keys.customer(customerId), sk }),
        UpdateExpression: `SET #counted = list_append(if_not_exists(#counted, :empty), :tps)${first ? ', convertedAt = :when' : ''}${extra.revenueSet}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: {
          '#counted': 'counted',
          ...(extra.at ? { '#at': 'at' } : {}),
          ...extra.names,
        },
        ExpressionAttributeValues: marshall({
          ':tp': hit.touchpointId,
          ':tps': [hit.touchpointId],
          ':empty': [],
          ...(first ? { ':when': hit.at } : {}),
          ...(extra.at ? { ':at': extra.at } : {}),
          ...extra.values,
        }),
      },
    };
  }

  private target(campaignId: string, customerId: string, at: string, pk = campaignCounterPk(campaignId)) {
    return { pk, campaignId, at, step: null, customerId, timeZone: this.timeZone };
  }

  private async get(customerId: string, sk: string): Promise<Record<string, unknown> | null> {
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: keys.customer(customerId), sk }),
        ConsistentRead: true,
      }),
    );
    return out.Item ? this.strip(unmarshall(out.Item)) : null;
  }

  private strip({ pk: _p, sk: _s, entity: _e, customerId: _c, ...rest }: Record<string, unknown>) {
    return rest;
  }

  /** One transaction with a check that the customer still exists (erasure wins every race). */
  private transact(customerId: string, items: TransactWriteItem[]) {
    return transactWhileCustomerExists(this.client, this.tableName, customerId, items);
  }
}
