import { afterAll, describe, expect, it } from 'vitest';
import { createDynamoClient } from '../../lib/aws/clients.js';
import { DynamoDbMessageLog } from '../../lib/flows/dynamodb-message-log.js';
import type { MessageRecord } from '../../lib/flows/message-log.js';
import { freePort } from '../../local/dynamodb.js';
import { type LocalStack, startLocalStack } from '../../local/stack.js';
import { eventually } from '../support/eventually.js';
import { messages, sentTemplates } from '../support/flows.js';
import { api, dynamodbEndpoint, uid, uniqueTable } from '../support/local.js';

// Issue 12, item 6: restarts and crashes lose no mail.
describe('Local stack restarts', () => {
  let stack: LocalStack | undefined;
  afterAll(async () => stack?.stop());

  it('serves no request before it is configured, so mail sent after a restart under traffic goes out', async () => {
    // Prepare: a shop already sending while the stack starts
    const port = await freePort();
    const userId = uid('u');
    const email = `${userId}@example.com`;
    let answered = false;
    const traffic = (async () => {
      while (!answered) {
        const res = await fetch(`http://127.0.0.1:${port}/v1/touchpoints`, {
          method: 'POST',
          headers: { authorization: 'Bearer sf_local_ingest_key', 'content-type': 'application/json' },
          body: JSON.stringify({
            batch: [
              { messageId: `${userId}-id`, userId, event: 'identify', traits: { email } },
              {
                messageId: `${userId}-order`,
                userId,
                event: 'Order Completed',
                properties: { order_id: 'o-1' },
              },
            ],
          }),
        }).catch(() => null);
        if (res) answered = res.status === 200;
        else await new Promise((resolve) => setImmediate(resolve));
      }
    })();

    // Act
    stack = await startLocalStack({
      dynamodbEndpoint: dynamodbEndpoint(),
      tableName: uniqueTable('restarts'),
      port,
      sesPort: 0,
    });
    await traffic;

    // Assess: the thank-you went out, nothing failed for want of a setting
    await eventually(async () =>
      expect(sentTemplates(await messages(stack!, userId))).toEqual(['thank-you']),
    );
    expect((await messages(stack, userId)).filter((m) => m.status === 'failed')).toEqual([]);
    expect(await stack.ses.mails(email)).toHaveLength(1);
  }, 180_000); // the whole stack starts inside this test, under traffic

  it('resends a transactional mail and records a marketing one as unknown when a killed stack left them sending', async () => {
    // Prepare: claims as a stack killed between claim and SES leaves them
    const s = stack!;
    const userId = uid('u');
    const email = `${userId}@example.com`;
    const post = api(s);
    expect(
      (
        await post('POST', '/v1/touchpoints', {
          messageId: uid('m'),
          userId,
          event: 'identify',
          traits: { email },
        })
      ).status,
    ).toBe(200);
    const thankYou = (await api(s, s.keys.admin)('GET', '/v1/campaigns/default-thank-you')).body;
    const log = new DynamoDbMessageLog(createDynamoClient(s.dynamodbEndpoint), s.tableName);
    const past = new Date(Date.now() - 60_000).toISOString();
    const claim = (runId: string, over: Partial<MessageRecord>): MessageRecord => ({
      flow: 'thank-you',
      campaignId: 'default-thank-you',
      campaignVersion: thankYou.version,
      template: 'thank-you',
      to: email,
      at: past,
      status: 'sending',
      runId,
      step: 0,
      orderId: 'o-9',
      category: 'transactional',
      leaseUntil: past,
      run: {
        runId,
        flow: 'thank-you',
        campaignId: 'default-thank-you',
        version: thankYou.version,
        customerId: userId,
        eventId: `e-${runId}`,
        trigger: { stage: 'act', at: past, startedAt: past },
        orderId: 'o-9',
        productIds: ['p-1'],
        step: 0,
        waitUntil: past,
      },
      ...over,
    });
    const now = { now: new Date(Date.now() - 120_000), onExpired: 'unknown' as const };
    await log.claim(userId, claim('crashed-transactional', {}), now);
    await log.claim(
      userId,
      claim('crashed-marketing', { flow: 'nurture', category: 'marketing', template: 'nurture-decide' }),
      now,
    );
    const live = new Date(Date.now() + 600_000).toISOString();
    await log.claim(userId, claim('still-sending', { leaseUntil: live }), now);

    // Act: what the flows worker does at start and on its timer
    const swept = await s.sweepExpiredSends();

    // Assess: resent once, unknown once, the live claim left alone
    expect(swept).toMatchObject({ resent: 1, unknown: 1, failed: 0 });
    const byRun = Object.fromEntries((await messages(s, userId)).map((m) => [m.runId, m]));
    expect(byRun['crashed-transactional']).toMatchObject({ status: 'sent' });
    expect(byRun['crashed-marketing']).toMatchObject({ status: 'unknown', reasonCode: 'unknown' });
    expect(byRun['still-sending']).toMatchObject({ status: 'sending', leaseUntil: live });
    expect(await s.ses.mails(email)).toHaveLength(1);
    expect(await s.sweepExpiredSends()).toEqual({ resent: 0, unknown: 0, failed: 0 });
  });
});
