import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbMessageLog } from '../../lib/flows/dynamodb-message-log.js';
import type { MessageRecord } from '../../lib/flows/message-log.js';
import type { Arm, Assignment } from '../../lib/measurement/assignment.js';
import { metricSk } from '../../lib/measurement/counters.js';
import { DynamoDbAssignments } from '../../lib/measurement/dynamodb-assignments.js';
import { counterUpdate, DynamoDbCounters } from '../../lib/measurement/dynamodb-counters.js';
import { campaignMetrics } from '../../lib/measurement/metrics.js';
import { keys } from '../../lib/storage/table.js';
import { testTable, uid } from '../support/local.js';

/** The counters on DynamoDB Local: written exactly once, read per the shared contract. */
describe('Measurement counters on DynamoDB Local', () => {
  let table: Awaited<ReturnType<typeof testTable>>;
  let assignments: DynamoDbAssignments;
  let counters: DynamoDbCounters;
  let log: DynamoDbMessageLog;
  beforeAll(async () => {
    table = await testTable('measurement-store');
    assignments = new DynamoDbAssignments(table.client, table.tableName, 'Europe/Berlin');
    counters = new DynamoDbCounters(table.client, table.tableName);
    log = new DynamoDbMessageLog(table.client, table.tableName, 'Europe/Berlin');
  });

  const customer = async () => {
    const id = uid('c');
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: marshall({ pk: keys.customer(id), sk: keys.profileSk, entity: 'profile' }),
      }),
    );
    return id;
  };
  const totals = async (campaignId: string, range = {}) => {
    const sum: Record<string, number> = {};
    for (const item of await counters.counters(keys.campaignStats(campaignId), range)) {
      for (const [k, v] of Object.entries(item.counters)) sum[k] = (sum[k] ?? 0) + v;
    }
    return sum;
  };
  /** The arrange step of every assignment test: a new campaign, a customer, and its assignment (not stored). */
  const assignment = async (arm: Arm, at = '2026-11-01T10:00:00.000Z') => {
    const campaignId = uid('cmp');
    const id = await customer();
    const a: Assignment = { campaignId, arm, at, goal: 'purchase', windowDays: 7 };
    return { campaignId, id, a };
  };
  /** The same, stored. */
  const assigned = async (arm: Arm) => {
    const arranged = await assignment(arm);
    await assignments.assign(arranged.id, arranged.a);
    return arranged;
  };
  /** A purchase of `eur` on the `day` of November 2026, as a goal hit. */
  const purchase = (touchpointId: string, eur: number, day = '02') => ({
    touchpointId,
    at: `2026-11-${day}T10:00:00.000Z`,
    revenue: { currency: 'EUR', micros: eur * 1_000_000 },
  });

  it('assigns once and counts entered and the arm once, however often it is asked', async () => {
    // Prepare
    const { campaignId, id, a } = await assignment('control', '2026-11-29T23:30:00.000Z');

    // Act
    const first = await assignments.assign(id, a);
    const again = await assignments.assign(id, { ...a, arm: 'treatment', at: '2026-11-30T10:00:00.000Z' });

    // Assess: the first assignment holds; its day is in the report time zone (Berlin: the 30th)
    expect(first).toEqual(a);
    expect(again).toMatchObject({ arm: 'control', at: a.at });
    expect(await totals(campaignId)).toEqual({ entered: 1, control: 1, heldOut: 1 });
    expect(await totals(campaignId, { from: '2026-11-30', to: '2026-12-01' })).toEqual({
      entered: 1,
      control: 1,
      heldOut: 1,
    });
    expect(await totals(campaignId, { from: '2026-11-29', to: '2026-11-30' })).toEqual({});
    expect(await assignments.assign('gone', a)).toBeNull();
  });

  it('counts a goal touchpoint once, the first as the conversion, each purchase as revenue', async () => {
    const { campaignId, id, a } = await assigned('treatment');
    const hit = (tp: string, eur: number) => purchase(tp, eur);

    expect(await assignments.countGoal(id, a, hit('tp-1', 20))).toBe(true);
    expect(await assignments.countGoal(id, a, hit('tp-1', 20))).toBe(false);
    expect(await assignments.countGoal(id, a, hit('tp-2', 5))).toBe(true);

    expect(await totals(campaignId)).toEqual({
      entered: 1,
      treatment: 1,
      convertedTreatment: 1,
      'revenueTreatment#EUR': 25_000_000,
    });
    expect((await assignments.assignments(id))[0]).toMatchObject({
      convertedAt: '2026-11-02T10:00:00.000Z',
      counted: ['tp-1', 'tp-2'],
    });
  });

  it('takes a refunded purchase back out once: revenue, then the conversion with the last one', async () => {
    const { campaignId, id, a } = await assigned('control');
    const hit = purchase;
    await assignments.countGoal(id, a, hit('tp-1', 20, '02'));
    await assignments.countGoal(id, a, hit('tp-2', 5, '03'));

    // tp-1 refunded (null), tp-2 standing at its time.
    const timeOf = (tp: string) => (tp === 'tp-2' ? '2026-11-03T10:00:00.000Z' : null);
    expect(await assignments.uncountGoal(id, a, hit('tp-1', 20, '02'), timeOf)).toBe(true);
    expect(await assignments.uncountGoal(id, a, hit('tp-1', 20, '02'), timeOf)).toBe(false);
    expect(await totals(campaignId)).toMatchObject({ convertedControl: 1, 'revenueControl#EUR': 5_000_000 });
    expect((await assignments.assignments(id))[0]).toMatchObject({
      convertedAt: '2026-11-03T10:00:00.000Z',
      counted: ['tp-2'],
    });

    expect(await assignments.uncountGoal(id, a, hit('tp-2', 5, '03'), () => null)).toBe(true);
    expect(await totals(campaignId)).toMatchObject({ convertedControl: 0, 'revenueControl#EUR': 0 });
    const after = (await assignments.assignments(id))[0];
    expect(after.convertedAt).toBeUndefined();
    // A later purchase converts the customer again.
    expect(await assignments.countGoal(id, a, hit('tp-3', 7, '04'))).toBe(true);
    expect(await totals(campaignId)).toMatchObject({ convertedControl: 1, 'revenueControl#EUR': 7_000_000 });
  });

  it('keeps the conversion when a purchase was counted after detection read the assignment', async () => {
    const { campaignId, id, a } = await assigned('treatment');
    const hit = (tp: string, day: string) => purchase(tp, 10, day);
    await assignments.countGoal(id, a, hit('tp-1', '02'));
    const stale = (await assignments.assignments(id))[0]; // counted: tp-1 alone
    await assignments.countGoal(id, a, hit('tp-2', '03')); // a concurrent detection counts tp-2
    const timeOf = (tp: string) => (tp === 'tp-2' ? '2026-11-03T10:00:00.000Z' : null);
    expect(await assignments.uncountGoal(id, stale, hit('tp-1', '02'), timeOf)).toBe(true);
    expect(await totals(campaignId)).toMatchObject({
      convertedTreatment: 1,
      'revenueTreatment#EUR': 10_000_000,
    });
    expect((await assignments.assignments(id))[0]).toMatchObject({
      convertedAt: '2026-11-03T10:00:00.000Z',
      counted: ['tp-2'],
    });
  });

  it('takes a refunded purchase out of the global control group, revenue squares included', async () => {
    const id = await customer();
    const g = await assignments.enterGlobal(id, 'treatment', '2026-11-01T10:00:00.000Z');
    const hit = purchase('tp-g', 30);
    expect(await assignments.countGlobalPurchase(id, g!, hit)).toBe(true);
    expect(await assignments.uncountGlobalPurchase(id, g!, hit, () => null)).toBe(true);
    expect(await assignments.uncountGlobalPurchase(id, g!, hit, () => null)).toBe(false);
    expect(await assignments.global(id)).toMatchObject({ counted: [], revenue: { EUR: 0 } });
    expect((await assignments.global(id))?.convertedAt).toBeUndefined();
  });

  it('records a final message state once and counts it once, keeping what others wrote on the item', async () => {
    const campaignId = uid('cmp');
    const id = await customer();
    const base: MessageRecord = {
      flow: 'nurture',
      campaignId,
      campaignVersion: 1,
      template: 'cart-reminder',
      to: 'a@example.com',
      at: '2026-11-03T09:00:00.000Z',
      status: 'sending',
      runId: 'r-1',
      step: 1,
      leaseUntil: '2026-11-03T09:05:00.000Z',
    };
    await log.record(id, base);
    // The SES events side keeps its engagement beside the claim.
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: marshall({
          ...base,
          pk: keys.customer(id),
          sk: 'MSG#r-1#01',
          entity: 'message',
          engagement: { delivered: 'x' },
        }),
      }),
    );

    await log.record(id, { ...base, status: 'sent', leaseUntil: undefined, providerMessageId: 'p-1' });
    await log.record(id, { ...base, status: 'sent', leaseUntil: undefined, providerMessageId: 'p-1' });
    await log.record(id, {
      ...base,
      runId: 'r-2',
      step: 0,
      status: 'suppressed',
      reason: 'unsubscribed',
      reasonCode: 'unsubscribed',
    });

    const [suppressed, sent] = await log.list(id).then((items) => items.sort((x, y) => x.step - y.step));
    expect(sent).toMatchObject({ status: 'sent', providerMessageId: 'p-1', engagement: { delivered: 'x' } });
    expect(sent.leaseUntil).toBeUndefined();
    expect(suppressed).toMatchObject({ status: 'suppressed', reasonCode: 'unsubscribed' });
    const items = await counters.counters(keys.campaignStats(campaignId), {});
    expect(items.map((i) => [i.step, i.counters])).toEqual(
      expect.arrayContaining([
        ['00', { 'suppressed#unsubscribed': 1 }],
        ['01', { sent: 1 }],
      ]),
    );
  });

  it('sums counters the SES events side writes per the contract in the campaign report', async () => {
    // Prepare: engagement counters as i8-events writes them (same key layout, ADD only)
    const campaignId = uid('cmp');
    const target = {
      pk: keys.campaignStats(campaignId),
      campaignId,
      at: '2026-11-05T12:00:00.000Z',
      step: 0,
      customerId: 'u-9',
      timeZone: 'UTC',
    };
    const { TransactWriteItemsCommand } = await import('@aws-sdk/client-dynamodb');
    await table.client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Update: counterUpdate(table.tableName, target, {
              sent: 1,
              delivered: 1,
              openedUnique: 1,
              openedMachine: 1,
              clickedUnique: 1,
              clickedTotal: 3,
            }),
          },
        ],
      }),
    );
    expect(metricSk('2026-11-05', 0, 'u-9')).toMatch(/^M#2026-11-05#00#[0-7]$/);

    // Act
    const report = campaignMetrics(
      { campaignId, name: 'x', goal: 'purchase', windowDays: 7, holdoutPercent: 10, templates: ['t'] },
      await counters.counters(keys.campaignStats(campaignId), {}),
    );

    // Assess
    expect(report).toMatchObject({
      sent: 1,
      delivered: 1,
      opened: { unique: 1, machine: 1 },
      clicked: { unique: 1, total: 3 },
      openRate: 1,
      clickRate: 1,
    });
  });
});
