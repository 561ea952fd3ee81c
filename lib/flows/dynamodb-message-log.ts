import {
  type DynamoDBClient,
  GetItemCommand,
  type Put,
  type TransactWriteItem,
  type Update,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { counterUpdate } from '../measurement/dynamodb-counters.js';
import { campaignCounterPk } from '../measurement/index.js';
import { queryPartition, transactWhileCustomerExists } from '../storage/dynamodb-io.js';
import { keys } from '../storage/table.js';
import type { ClaimResult, MessageLog, MessageRecord, OnExpiredClaim } from './message-log.js';

const messageSk = (runId: string, step: number) => `MSG#${runId}#${String(step).padStart(2, '0')}`;

/**
 * The message log's index keys (index `messages-by-campaign`, lib/storage/table.ts): the
 * campaign, and the time with the item's identity so equal times keep a total order.
 */
export const messageLogKeys = (
  customerId: string,
  r: Pick<MessageRecord, 'campaignId' | 'at' | 'runId' | 'step'>,
) => ({
  msgCampaign: r.campaignId,
  msgAt: `${r.at}#${customerId}#${r.runId}#${String(r.step).padStart(2, '0')}`,
});
const CAP_SK = 'CAP';

/** A decision is final once it is one of these; only the first final write of a message counts. */
const FINAL: ReadonlySet<MessageRecord['status']> = new Set([
  'sent',
  'failed',
  'suppressed',
  'unknown',
  'held-out',
]);

/** What a final decision adds to the campaign's metric counters (held-out is counted per customer). */
function countsOf(record: MessageRecord): Record<string, number> | null {
  switch (record.status) {
    case 'sent':
      return { sent: 1 };
    case 'failed':
      return { failed: 1 };
    case 'suppressed':
    case 'unknown':
      return { [`suppressed#${record.reasonCode ?? 'unknown'}`]: 1 };
    default:
      return null;
  }
}

/** Optional attributes a later write of the same message must drop when it does not carry them. */
const CLEARED = ['reason', 'reasonCode', 'leaseUntil', 'run', 'providerMessageId'] as const;

export class DynamoDbMessageLog implements MessageLog {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    /** The report time zone the metric counters' days are in (STAGEFLOW_REPORT_TIMEZONE). */
    private readonly timeZone = 'UTC',
  ) {}

  private counters(customerId: string, record: MessageRecord): TransactWriteItem[] {
    const counts = countsOf(record);
    if (!counts) return [];
    const target = {
      pk: campaignCounterPk(record.campaignId),
      campaignId: record.campaignId,
      at: record.at,
      step: record.step,
      customerId,
      timeZone: this.timeZone,
    };
    return [{ Update: counterUpdate(this.tableName, target, counts) }];
  }

  async claim(
    customerId: string,
    record: MessageRecord,
    expiry: { now: Date; onExpired: OnExpiredClaim },
  ): Promise<ClaimResult> {
    const key = { pk: `C#${customerId}`, sk: messageSk(record.runId, record.step) };
    const item = (r: MessageRecord) =>
      marshall(
        { ...key, entity: 'message', customerId, ...r, ...messageLogKeys(customerId, r) },
        { removeUndefinedValues: true },
      );
    const written = await this.putIfCustomer(customerId, {
      TableName: this.tableName,
      Item: item(record),
      // A retry after a transient failure may claim again; anything else may not.
      ConditionExpression: 'attribute_not_exists(pk) OR #s = :retrying',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: marshall({ ':retrying': 'retrying' }),
    });
    if (written === 'ok') return 'claimed';
    if (written === 'gone') return 'already-sent'; // erased meanwhile: nothing may be sent
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshall(key), ConsistentRead: true }),
    );
    const held = out.Item ? (unmarshall(out.Item) as MessageRecord) : undefined;
    if (!held) return 'in-doubt'; // erased between the two calls: the next look says 'gone'
    if (held.status !== 'sending') return held.status === 'retrying' ? 'in-doubt' : 'already-sent';
    // 'sending' means an attempt is sending now, or died mid-send: it may have gone out.
    if (held.leaseUntil && Date.parse(held.leaseUntil) > expiry.now.getTime()) return 'in-doubt';
    const expired: MessageRecord =
      expiry.onExpired === 'resend'
        ? // What SES reported of the dead attempt's mail (if it went out) stays with the message.
          { ...record, ...(held.engagement ? { engagement: held.engagement } : {}) }
        : {
            ...held,
            status: 'unknown',
            reasonCode: 'unknown',
            reason: 'the attempt that claimed this send died; it may or may not have gone out',
            at: expiry.now.toISOString(),
            leaseUntil: undefined,
            run: undefined,
          };
    // Only the attempt that finds this very lease expired takes it over (held.leaseUntil matches).
    const takeover = await this.putIfCustomer(
      customerId,
      {
        TableName: this.tableName,
        Item: item(expired),
        ConditionExpression: held.leaseUntil
          ? '#s = :sending AND leaseUntil = :lease'
          : '#s = :sending AND attribute_not_exists(leaseUntil)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: marshall({
          ':sending': 'sending',
          ...(held.leaseUntil ? { ':lease': held.leaseUntil } : {}),
        }),
      },
      expiry.onExpired === 'unknown' ? this.counters(customerId, expired) : [],
    );
    if (takeover === 'gone') return 'already-sent';
    if (takeover === 'condition') return 'in-doubt';
    return expiry.onExpired === 'resend' ? 'claimed' : 'unknown';
  }

  /**
   * Writes a message's state as an update, so attributes others keep on the item (the SES
   * engagement) survive. A final state is written only over no state or a `sending`/`retrying`
   * one, and in the same transaction as its metric counters: a retried step records and
   * counts a decision once.
   */
  async record(customerId: string, record: MessageRecord): Promise<void> {
    const fields: Record<string, unknown> = {
      entity: 'message',
      customerId,
      ...record,
      ...messageLogKeys(customerId, record),
    };
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    Object.entries(fields).forEach(([name, value], i) => {
      if (value === undefined) return;
      names[`#f${i}`] = name;
      values[`:f${i}`] = value;
      sets.push(`#f${i} = :f${i}`);
    });
    const removed = CLEARED.filter((name) => record[name] === undefined);
    removed.forEach((name, i) => {
      names[`#r${i}`] = name;
    });
    const final = FINAL.has(record.status);
    if (final) {
      names['#st'] = 'status';
      values[':sending'] = 'sending';
      values[':retrying'] = 'retrying';
    }
    await this.writeIfCustomer(
      customerId,
      {
        Update: {
          TableName: this.tableName,
          Key: marshall({ pk: `C#${customerId}`, sk: messageSk(record.runId, record.step) }),
          UpdateExpression:
            `SET ${sets.join(', ')}` +
            (removed.length ? ` REMOVE ${removed.map((_, i) => `#r${i}`).join(', ')}` : ''),
          ...(final
            ? { ConditionExpression: 'attribute_not_exists(pk) OR #st IN (:sending, :retrying)' }
            : {}),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: marshall(values, { removeUndefinedValues: true }),
        } satisfies Update,
      },
      final ? this.counters(customerId, record) : [],
    );
  }

  async claimCycle(customerId: string, scope: string, cycle: string, eventId: string): Promise<boolean> {
    const written = await this.putIfCustomer(customerId, {
      TableName: this.tableName,
      Item: marshall({
        pk: `C#${customerId}`,
        sk: keys.cycleSk(scope, cycle),
        entity: 'cycle',
        customerId,
        eventId,
      }),
      // The same event may claim again (a retried plan task); another event may not.
      ConditionExpression: 'attribute_not_exists(pk) OR eventId = :e',
      ExpressionAttributeValues: marshall({ ':e': eventId }),
    });
    return written === 'ok';
  }

  /**
   * Writes an item of a customer's partition only while the customer exists, so a flow step
   * racing an erasure cannot bring personal data back. 'condition' is the put's own condition.
   */
  private putIfCustomer(customerId: string, put: Put, also: TransactWriteItem[] = []) {
    return this.writeIfCustomer(customerId, { Put: put }, also);
  }

  /**
   * Writes an item of a customer's partition only while the customer exists, so a flow step
   * racing an erasure cannot bring personal data back. 'condition' is the write's own condition;
   * `also` (metric counters) is written in the same transaction or not at all.
   */
  private writeIfCustomer(customerId: string, write: TransactWriteItem, also: TransactWriteItem[] = []) {
    return transactWhileCustomerExists(this.client, this.tableName, customerId, [write, ...also]);
  }

  async list(customerId: string): Promise<MessageRecord[]> {
    const items = await queryPartition(this.client, this.tableName, `C#${customerId}`, { prefix: 'MSG#' });
    return items
      .map(
        // The run snapshot is for resending after a restart, not for readers of the log.
        ({ pk: _pk, sk: _sk, entity: _e, customerId: _c, run: _r, msgCampaign: _m, msgAt: _a, ...record }) =>
          readableRecord(record),
      )
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  async takeCapSlot(
    customerId: string,
    claimId: string,
    max: number,
    windowMs: number,
    now: Date,
  ): Promise<boolean> {
    const key = marshall({ pk: `C#${customerId}`, sk: CAP_SK });
    for (let attempt = 0; attempt < 50; attempt++) {
      const out = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
      );
      const item = out.Item ? unmarshall(out.Item) : undefined;
      const version = (item?.version as number | undefined) ?? 0;
      const claims = (item?.claims as Record<string, number> | undefined) ?? {};
      if (claims[claimId] !== undefined) return true;
      const since = now.getTime() - windowMs;
      const live = Object.fromEntries(Object.entries(claims).filter(([, at]) => at > since));
      if (Object.keys(live).length >= max) return false;
      live[claimId] = now.getTime();
      const written = await this.putIfCustomer(customerId, {
        TableName: this.tableName,
        Item: marshall({
          pk: `C#${customerId}`,
          sk: CAP_SK,
          entity: 'cap',
          customerId,
          claims: live,
          version: version + 1,
        }),
        ConditionExpression: version === 0 ? 'attribute_not_exists(pk)' : 'version = :v',
        ...(version === 0 ? {} : { ExpressionAttributeValues: marshall({ ':v': version }) }),
      });
      if (written === 'ok') return true;
      if (written === 'gone') return false; // erased meanwhile: no mail
      await new Promise((r) => setTimeout(r, Math.random() * 20));
    }
    throw new Error(`frequency cap for ${customerId} stayed contended`);
  }
}

/** A log item as readers see it: the engagement without its dedupe ids and lock. */
export function readableRecord(item: Record<string, unknown>): MessageRecord {
  const { engagement, ...record } = item;
  if (!engagement || typeof engagement !== 'object') return record as unknown as MessageRecord;
  const { events: _events, version: _version, ...shown } = engagement as Record<string, unknown>;
  return { ...record, engagement: shown } as unknown as MessageRecord;
}
