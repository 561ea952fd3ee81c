import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DetailType, EVENT_SOURCE } from '../../events/index.js';
import { createDynamoClient } from '../../lib/aws/clients.js';
import { DynamoDbMarketingSwitch } from '../../lib/flows/dynamodb-marketing-switch.js';
import { applyAlarmChange } from '../../lib/flows/marketing-switch.js';
import { messaging } from '../../lib/runtime/messaging.js';
import type { LocalStack } from '../../local/stack.js';
import { eventually } from '../support/eventually.js';
import { journey, messages, sentTemplates } from '../support/flows.js';
import { api, testStack, uid } from '../support/local.js';

const SCALE = 0.000002;

describe('Flows: delivery guarantees, consent, caps and faults', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    process.env.STAGEFLOW_TIME_SCALE = String(SCALE);
    stack = await testStack('flows-delivery');
  });
  afterAll(async () => stack.stop());

  const customer = async (label: string, traits: Record<string, unknown> = {}) => {
    const userId = uid(label);
    const email = `${userId}@example.com`;
    const res = await api(stack)('POST', '/v1/touchpoints', {
      messageId: `${userId}-identify`,
      userId,
      event: 'identify',
      traits: { email, firstName: 'Jo', ...traits },
    });
    expect(res.status).toBe(200);
    return { userId, email, send: journey(stack, userId) };
  };

  it('starts one execution and sends one mail when the same stage event is delivered three times', async () => {
    // Prepare
    const { userId, email } = await customer('redelivered');
    const eventId = uid('evt');
    const entry = {
      Source: EVENT_SOURCE,
      DetailType: DetailType.CustomerStageChanged,
      EventBusName: stack.bus.name,
      Detail: JSON.stringify({
        eventId,
        customerId: userId,
        from: 'decide',
        to: 'act',
        at: new Date().toISOString(),
        touchpointId: `${userId}-purchase`,
        orderId: 'o-77',
        modelVersion: 'social-customer-journey@1',
      }),
    };

    // Act
    for (let i = 0; i < 3; i++) stack.bus.put([entry]);

    // Assess
    await eventually(async () => expect(sentTemplates(await messages(stack, userId))).toEqual(['thank-you']));
    await stack.bus.idle();
    await stack.stepFunctions.idle();
    const executions = (await stack.stepFunctions.executions()).filter((e) => e.name.endsWith(eventId));
    expect(executions.map((e) => e.name)).toEqual([`thank-you-${eventId}`]);
    expect(await stack.ses.mails(email)).toHaveLength(1);
  });

  it('stops marketing mail after a one-click unsubscribe, says why, and still sends the thank-you', async () => {
    // Prepare: a first marketing mail carries the one-click unsubscribe link
    const { userId, email, send } = await customer('unsub');
    await send('Ad Clicked', { context: { campaign: { source: 'tiktok', name: 'launch' } } });
    const [nurture] = await eventually(async () => {
      const mails = await stack.ses.mails(email);
      expect(mails).toHaveLength(1);
      return mails;
    });
    const header = nurture.headers?.find((h) => h.name.toLowerCase() === 'list-unsubscribe')?.value;
    const url =
      /<([^>]+)>/.exec(header ?? '')?.[1] ??
      /https?:\/\/\S+\/v1\/unsubscribe\/[\w.-]+/.exec(nurture.body.text ?? '')?.[0];
    expect(url).toMatch(/\/v1\/unsubscribe\//);

    // Act: one-click (RFC 8058), then decide and buy
    const res = await fetch(url!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBeLessThan(300);
    await send('Product Added', { properties: { product_id: 'p-1' } });
    await eventually(async () =>
      expect((await messages(stack, userId)).find((m) => m.template === 'cart-reminder')?.status).toBe(
        'suppressed',
      ),
    );
    await send('Order Completed', { properties: { order_id: 'o-1' } });

    // Assess
    await eventually(async () => expect(sentTemplates(await messages(stack, userId))).toContain('thank-you'));
    const log = await messages(stack, userId);
    expect(log.find((m) => m.template === 'cart-reminder')?.reason).toBe('unsubscribed');
    expect(sentTemplates(log)).toEqual(['nurture-consider', 'thank-you']);
  });

  it('sends exactly one mail when SES fails twice before succeeding', async () => {
    // Prepare
    const { userId, email, send } = await customer('ses-flaky');
    const faults = messaging().sesFaults!;
    const injectedBefore = faults.injected;
    stack.ses.failNext(2, 'throttling');

    // Act
    await send('Order Completed', { properties: { order_id: 'o-5' } });

    // Assess
    await eventually(async () => expect(sentTemplates(await messages(stack, userId))).toEqual(['thank-you']));
    await stack.stepFunctions.idle();
    expect((await stack.ses.mails(email)).filter((m) => m.subject.includes('o-5'))).toHaveLength(1);
    expect(faults.injected - injectedBefore).toBe(2);
  });

  it('pauses marketing mail while the SES reputation switch is on and still sends transactional mail', async () => {
    // Prepare: the bounce-rate alarm fires
    const gate = new DynamoDbMarketingSwitch(createDynamoClient(stack.dynamodbEndpoint), stack.tableName);
    const alarm = (state: 'ALARM' | 'OK') =>
      applyAlarmChange(gate, {
        alarmName: 'stageflow-local-ses-bounce-rate',
        state,
        at: new Date().toISOString(),
      });
    await alarm('ALARM');
    const held = await customer('paused');
    const buyer = await customer('paused-buyer');

    try {
      // Act
      await held.send('Ad Clicked', { context: { campaign: { source: 'pinterest', name: 'pins' } } });
      await buyer.send('Order Completed', { properties: { order_id: 'o-p' } });

      // Assess: the thank-you goes out; the nurture mail is held, and on this compressed clock
      // the three-day pause soon outlasts its moment, which the log records
      await eventually(async () =>
        expect(sentTemplates(await messages(stack, buyer.userId))).toEqual(['thank-you']),
      );
      await eventually(async () =>
        expect((await messages(stack, held.userId)).map((m) => `${m.status}: ${m.reason}`)).toEqual([
          'suppressed: marketing paused (SES reputation alarm)',
        ]),
      );
      expect(await stack.ses.mails(held.email)).toEqual([]);
    } finally {
      await alarm('OK');
    }
    expect(await gate.isMarketingPaused()).toBe(false);
  });

  it('sends at most 3 marketing mails when five campaigns fire on one day, and logs the rest as suppressed', async () => {
    // Prepare: five more nurture campaigns for this cohort on entering consider
    const admin = api(stack, stack.keys.admin);
    const cohort = uid('cohort');
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const created = await admin('POST', '/v1/campaigns', {
        name: `Cap test ${i}`,
        flow: 'nurture',
        trigger: { type: 'stage', enters: ['consider'] },
        steps: [{ wait: {}, template: 'nurture-consider', category: 'marketing' }],
        audience: { traits: { cohort } },
        exit: 'stage-left',
      });
      expect(created.status).toBe(201);
      ids.push(created.body.campaignId);
      expect((await admin('POST', `/v1/campaigns/${created.body.campaignId}/activate`)).status).toBe(200);
    }
    const { userId, email, send } = await customer('capped', { cohort });

    // Act
    await send('Ad Clicked', { context: { campaign: { source: 'google', name: 'brand' } } });

    // Assess: six campaigns matched (five + the default), three sent, three capped
    const log = await eventually(async () => {
      const log = (await messages(stack, userId)).filter((m) => m.flow === 'nurture');
      expect(log.filter((m) => m.status === 'sent' || m.status === 'suppressed')).toHaveLength(6);
      return log;
    });
    expect(log.filter((m) => m.status === 'sent')).toHaveLength(3);
    const suppressed = log.filter((m) => m.status === 'suppressed');
    expect(suppressed).toHaveLength(3);
    for (const m of suppressed) expect(m.reason).toMatch(/frequency cap/);
    expect(await stack.ses.mails(email)).toHaveLength(3);
    for (const id of ids) await admin('DELETE', `/v1/campaigns/${id}`);
  });
});
