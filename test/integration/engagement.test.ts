import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClient } from '../../lib/aws/clients.js';
import { messageKeyTags } from '../../lib/engagement/message-key.js';
import { DynamoDbMessageLog } from '../../lib/flows/dynamodb-message-log.js';
import type { MessageRecord } from '../../lib/flows/message-log.js';
import { keys } from '../../lib/storage/table.js';
import { type LocalMail, sesBusEvent } from '../../local/ses-events.js';
import type { LocalStack } from '../../local/stack.js';
import { eventually } from '../support/eventually.js';
import { journey, messages } from '../support/flows.js';
import { api, testStack, uid } from '../support/local.js';

/**
 * SES engagement end to end on the local stack: the local SES publishes Send and Delivery,
 * serves the click redirect and the open pixel, and the same consumer as deployed updates the
 * message, its campaign counters and the customer's history.
 */
describe('Email engagement on the local stack', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    process.env.STAGEFLOW_TIME_SCALE = '0.000002';
    stack = await testStack('engagement');
  });
  afterAll(async () => stack.stop());

  const customer = async (label: string, traits: Record<string, unknown> = {}, email?: string) => {
    const userId = uid(label);
    const address = email ?? `${userId}@example.com`;
    const res = await api(stack)('POST', '/v1/touchpoints', {
      messageId: `${userId}-identify`,
      userId,
      event: 'identify',
      traits: { email: address, firstName: 'Jo', ...traits },
    });
    expect(res.status).toBe(200);
    return { userId, email: address, send: journey(stack, userId, Date.now() - 60_000) };
  };
  const thankYou = (log: MessageRecord[]) => log.filter((m) => m.campaignId === 'default-thank-you');
  const touchpoints = async (userId: string) =>
    (await api(stack, stack.keys.admin)('GET', `/v1/customers/${userId}/touchpoints?limit=100`)).body
      .items as {
      event: string;
      channel?: string;
      properties?: Record<string, unknown>;
      context?: { campaign?: Record<string, string> };
    }[];

  it('makes a followed link `clicked`, records Email Link Clicked, and credits the campaign for the next purchase', async () => {
    // Prepare: a purchase, so the thank-you mail goes out (with its referral link tracked)
    const { userId, email, send } = await customer('click');
    await send('Order Completed', { properties: { order_id: `${userId}-o1`, total: 20, currency: 'EUR' } });
    const mail = await eventually(async () => {
      const [m] = await stack.ses.mails(email);
      expect(m?.body.html).toContain('/t/c/');
      return m;
    });
    await eventually(async () =>
      expect(thankYou(await messages(stack, userId))[0]?.engagement?.status).toBe('delivered'),
    );
    const links = [...mail.body.html!.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
    // Every link goes through the redirect (but an unsubscribe link: unit-tested, trackHtml).
    const tracked = links.find((l) => l.includes('/t/c/'))!;
    expect(mail.body.html).toMatch(/<img src="[^"]+\/t\/o\/[^"]+\.gif"/);

    // Act: follow the link (no redirect followed: its target is the shop)
    const res = await fetch(tracked, {
      redirect: 'manual',
      headers: { 'user-agent': 'Mozilla/5.0 (Macintosh) Test' },
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toContain('?ref=');

    // Assess: the message, the touchpoint, then attribution for a purchase after the click
    const [message] = await eventually(async () => {
      const log = thankYou(await messages(stack, userId));
      expect(log[0]?.engagement).toMatchObject({ status: 'clicked', clicks: 1 });
      return log;
    });
    expect(message.status).toBe('sent');
    const click = await eventually(async () => {
      const found = (await touchpoints(userId)).find((t) => t.event === 'Email Link Clicked');
      expect(found).toBeDefined();
      return found!;
    });
    expect(click.channel).toBe('email');
    expect(click.properties).toMatchObject({
      campaign_id: 'default-thank-you',
      link_url: res.headers.get('location'),
      email_subject: mail.subject,
    });
    expect(click.context?.campaign?.name).toBe('default-thank-you');
    expect((await touchpoints(userId)).some((t) => t.event === 'Email Delivered')).toBe(true);

    // A minute from now: after the click (the journey's clock started a minute ago).
    await send(
      'Order Completed',
      { properties: { order_id: `${userId}-o2`, total: 30, currency: 'EUR' } },
      120_000,
    );
    const day = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await eventually(async () => {
      const report = await api(stack, stack.keys.admin)(
        'GET',
        `/v1/analytics/attribution?from=${day}&to=${tomorrow}&model=last&by=campaign`,
      );
      expect(report.status).toBe(200);
      // Every change so far counted, the stream's backlog included
      expect(report.body.lagSeconds).toBe(0);
      const row = report.body.rows.find(
        (r: { key: { campaign: string } }) => r.key.campaign === 'default-thank-you',
      );
      expect(row?.conversions).toBeGreaterThanOrEqual(1);
    });
  }, 90_000);

  it('sends mail without pixel or rewritten links to a customer whose trackingConsent is false', async () => {
    const { userId, email, send } = await customer('untracked', { trackingConsent: false });
    await send('Order Completed', { properties: { order_id: `${userId}-o1`, total: 5 } });
    const mail = await eventually(async () => {
      const [m] = await stack.ses.mails(email);
      expect(m).toBeDefined();
      return m;
    });
    expect(mail.body.html).not.toContain('/t/c/');
    expect(mail.body.html).not.toContain('/t/o/');
    // Deliveries are still tracked: the untracked configuration set publishes everything but opens and clicks.
    await eventually(async () =>
      expect(thankYou(await messages(stack, userId))[0]?.engagement?.status).toBe('delivered'),
    );
  }, 60_000);

  it('ends `bounced` for the bounce simulator address and suppresses it for the next mail', async () => {
    const address = `bounce+${uid('b')}@simulator.amazonses.com`;
    const { userId, send } = await customer('bounce', {}, address);
    await send('Order Completed', { properties: { order_id: `${userId}-o1`, total: 5 } });
    await eventually(async () =>
      expect(thankYou(await messages(stack, userId))[0]?.engagement).toMatchObject({ status: 'bounced' }),
    );
    await eventually(async () =>
      expect((await touchpoints(userId)).some((t) => t.event === 'Email Bounced')).toBe(true),
    );
    await send('Order Completed', { properties: { order_id: `${userId}-o2`, total: 5 } });
    await eventually(async () => {
      const log = thankYou(await messages(stack, userId));
      expect(log).toHaveLength(2);
      expect(log.find((m) => m.status === 'suppressed')).toMatchObject({ reasonCode: 'suppressed' });
    });
    expect(await stack.ses.mails(address)).toHaveLength(1);
  }, 60_000);

  it('gives the same states and counts for events delivered shuffled and three times over', async () => {
    // Prepare: two customers with one sent message each, in two campaigns of their own
    const log = new DynamoDbMessageLog(createDynamoClient(stack.dynamodbEndpoint), stack.tableName);
    const sentAt = new Date(Date.now() - 3600_000).toISOString();
    const prepared = await Promise.all(
      ['in-order', 'shuffled'].map(async (label) => {
        const { userId, email } = await customer(label);
        const campaignId = uid(`c-${label}`);
        const runId = uid('run').replace(/-/g, '_');
        await log.record(userId, {
          flow: 'nurture',
          campaignId,
          campaignVersion: 1,
          template: 'cart-reminder',
          to: email,
          at: sentAt,
          status: 'sent',
          runId,
          step: 0,
        });
        const mail: LocalMail = {
          messageId: uid('ses'),
          from: 'shop@example.com',
          to: [email],
          subject: 'Your cart',
          tags: messageKeyTags({ customerId: userId, runId, step: 0 }),
          configurationSet: 'stageflow-local',
          tracked: true,
          links: [],
          sentAt,
        };
        const at = (minutes: number) => new Date(Date.parse(sentAt) + minutes * 60_000);
        const human = { ipAddress: '203.0.113.9', userAgent: 'Mozilla/5.0 (iPhone) Mail' };
        const events = [
          sesBusEvent('Send', mail, {}, at(0)),
          sesBusEvent('Delivery', mail, { recipients: [email] }, at(1)),
          sesBusEvent('Open', mail, { ipAddress: '17.58.1.2', userAgent: 'Mozilla/5.0' }, at(1)),
          sesBusEvent('Open', mail, human, at(5)),
          sesBusEvent('Open', mail, human, at(9)),
          sesBusEvent('Click', mail, { ...human, link: 'https://shop.example/a' }, at(6)),
          sesBusEvent('Click', mail, { ...human, link: 'https://shop.example/b' }, at(7)),
        ];
        return { userId, campaignId, events };
      }),
    );
    const [ordered, shuffled] = prepared;

    // Act: one in order, once; the other shuffled and each three times
    for (const e of ordered.events) stack.bus.publishServiceEvent(e);
    const thrice = [...shuffled.events, ...shuffled.events, ...shuffled.events]
      .map((e, i) => ({ e, k: (i * 7919) % 23 }))
      .sort((a, b) => a.k - b.k)
      .map(({ e }) => e);
    expect(thrice.slice(0, shuffled.events.length)).not.toEqual(shuffled.events);
    for (const e of thrice) stack.bus.publishServiceEvent(e);
    await stack.bus.idle();

    // Assess
    const client = createDynamoClient(stack.dynamodbEndpoint);
    const state = async (p: (typeof prepared)[number]) => {
      const [message] = await messages(stack, p.userId);
      const counters = (
        await client.send(
          new QueryCommand({
            TableName: stack.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: marshall({ ':pk': keys.campaignStats(p.campaignId) }),
          }),
        )
      ).Items!.map((i) => unmarshall(i));
      const sum = (name: string) => counters.reduce((s, c) => s + Number(c[name] ?? 0), 0);
      const names = ['delivered', 'openedUnique', 'openedMachine', 'clickedUnique', 'clickedTotal'];
      // The first click signals `consider` to this stage-less customer (the model's campaignSignal),
      // which may start a nurture mail of its own: only this message's touchpoints count here.
      const events = (await touchpoints(p.userId))
        .filter((t) => t.properties?.campaign_id === p.campaignId)
        .map((t) => t.event);
      return {
        engagement: message.engagement,
        counters: Object.fromEntries(names.map((n) => [n, sum(n)])),
        touchpoints: events.sort(),
      };
    };
    const expected = await state(ordered);
    expect(expected.engagement).toMatchObject({
      status: 'clicked',
      opens: 2,
      machineOpens: 1,
      clicks: 2,
      deliveredAt: new Date(Date.parse(sentAt) + 60_000).toISOString(),
      openedAt: new Date(Date.parse(sentAt) + 5 * 60_000).toISOString(),
    });
    expect(expected.counters).toEqual({
      delivered: 1,
      openedUnique: 1,
      openedMachine: 1,
      clickedUnique: 1,
      clickedTotal: 2,
    });
    expect(expected.touchpoints).toEqual([
      'Email Delivered',
      'Email Link Clicked',
      'Email Link Clicked',
      'Email Opened',
      'Email Opened',
      'Email Opened',
    ]);
    expect(await state(shuffled)).toEqual(expected);
  }, 90_000);

  it('counts an unsubscribe through a mail’s link for its campaign and records Unsubscribed', async () => {
    const { userId, email, send } = await customer('unsub');
    await send('Ad Clicked', { context: { campaign: { source: 'tiktok', name: 'launch' } } });
    const [mail] = await eventually(async () => {
      const mails = await stack.ses.mails(email);
      expect(mails).toHaveLength(1);
      return mails;
    });
    const url = /<([^>]+)>/.exec(
      mail.headers?.find((h) => h.name.toLowerCase() === 'list-unsubscribe')?.value ?? '',
    )?.[1];
    expect(url).toMatch(/\/v1\/unsubscribe\/[^?]+\?m=[A-Za-z0-9_]+-\d\d$/);
    for (let i = 0; i < 2; i++) {
      const res = await fetch(url!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(res.status).toBe(200);
    }
    const [message] = await messages(stack, userId);
    expect(message.engagement).toMatchObject({ unsubscribedAt: expect.any(String) });
    const unsubscribed = (await touchpoints(userId)).filter((t) => t.event === 'Unsubscribed');
    expect(unsubscribed).toHaveLength(1);
    expect(unsubscribed[0].properties).toMatchObject({ campaign_id: message.campaignId });
  }, 60_000);

  it('drops an event for an erased customer without creating a profile', async () => {
    const { userId, email } = await customer('erased');
    const mail: LocalMail = {
      messageId: uid('ses'),
      from: 'shop@example.com',
      to: [email],
      subject: 'Hi',
      tags: messageKeyTags({ customerId: userId, runId: 'r1', step: 0 }),
      configurationSet: 'stageflow-local',
      tracked: true,
      links: [],
      sentAt: new Date().toISOString(),
    };
    expect((await api(stack, stack.keys.admin)('DELETE', `/v1/customers/${userId}`)).status).toBe(204);
    const before = stack.bus.rule('stageflow-local-ses-events')!.delivered.length;
    stack.bus.publishServiceEvent(sesBusEvent('Delivery', mail, { recipients: [email] }));
    await eventually(() =>
      expect(stack.bus.rule('stageflow-local-ses-events')!.delivered.length).toBeGreaterThan(before),
    );
    await stack.bus.idle();
    expect((await api(stack, stack.keys.admin)('GET', `/v1/customers/${userId}`)).status).toBe(404);
  }, 30_000);

  it('lists messages across customers newest first, by campaign, status and reasonCode, paged', async () => {
    // Prepare: two thank-you mails, one bounced
    const a = await customer('log-a');
    const b = await customer('log-b', {}, `bounce+${uid('l')}@simulator.amazonses.com`);
    await a.send('Order Completed', { properties: { order_id: `${a.userId}-o`, total: 1 } });
    await b.send('Order Completed', { properties: { order_id: `${b.userId}-o`, total: 1 } });
    const admin = api(stack, stack.keys.admin);
    const day = new Date().toISOString().slice(0, 10);

    // Act + Assess: the bounced one by its headline, with its customer
    const bounced = await eventually(async () => {
      const res = await admin('GET', `/v1/messages?campaignId=default-thank-you&status=bounced&from=${day}`);
      expect(res.status).toBe(200);
      expect(res.body.items.map((m: { customerId: string }) => m.customerId)).toContain(b.userId);
      return res.body.items;
    });
    expect(bounced.every((m: MessageRecord) => m.engagement?.status === 'bounced')).toBe(true);
    expect(bounced[0]).toMatchObject({
      campaignId: 'default-thank-you',
      status: 'sent',
      template: 'thank-you',
    });
    expect(bounced[0]).not.toHaveProperty('msgAt');

    // Across campaigns, one item a page, newest first, every page distinct
    await eventually(async () => {
      const res = await admin('GET', `/v1/messages?status=sent&from=${day}`);
      const ids = res.body.items.map((m: { customerId: string }) => m.customerId);
      expect(ids).toEqual(expect.arrayContaining([a.userId, b.userId]));
    });
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 3; i++) {
      const res = await admin('GET', `/v1/messages?limit=1&from=${day}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(1);
      seen.push(`${res.body.items[0].at}#${res.body.items[0].runId}`);
      cursor = res.body.nextCursor;
      if (i < 2) expect(cursor).toBeTruthy();
    }
    expect([...seen].sort().reverse()).toEqual(seen);
    expect(new Set(seen).size).toBe(3);

    // Suppressed by reasonCode: b's address is suppressed after the bounce
    await b.send('Order Completed', { properties: { order_id: `${b.userId}-o2`, total: 1 } });
    await eventually(async () => {
      const res = await admin('GET', '/v1/messages?campaignId=default-thank-you&reasonCode=suppressed');
      expect(res.body.items.map((m: { customerId: string }) => m.customerId)).toContain(b.userId);
    });
  }, 90_000);

  it('answers bad message log queries with problem+json naming the parameter, and admin keys only', async () => {
    const admin = api(stack, stack.keys.admin);
    const bad = await admin('GET', '/v1/messages?limit=0&status=read&from=yesterday&colour=red');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['limit', 'status', 'from']),
    );
    const order = await admin('GET', '/v1/messages?from=2026-11-02&to=2026-11-01');
    expect(order.body.errors).toEqual([expect.objectContaining({ path: 'to' })]);
    const cursor = await admin('GET', '/v1/messages?cursor=nonsense');
    expect(cursor.body.errors).toEqual([expect.objectContaining({ path: 'cursor' })]);
    expect((await api(stack)('GET', '/v1/messages')).status).toBe(403);
  });
});
