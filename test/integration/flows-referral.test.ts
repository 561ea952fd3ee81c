import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DetailType } from '../../events/index.js';
import type { LocalStack } from '../../local/stack.js';
import { eventually } from '../support/eventually.js';
import { journey, messages, sentTemplates } from '../support/flows.js';
import { api, testStack, uid } from '../support/local.js';

describe('Flows: the referral program', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    process.env.STAGEFLOW_TIME_SCALE = '0.000002';
    stack = await testStack('flows-referral');
  });
  afterAll(async () => stack.stop());

  const customer = async (label: string) => {
    const userId = uid(label);
    const email = `${userId}@example.com`;
    await api(stack)('POST', '/v1/touchpoints', {
      messageId: `${userId}-identify`,
      userId,
      event: 'identify',
      traits: { email, firstName: label },
    });
    return { userId, email, send: journey(stack, userId) };
  };
  const profile = async (userId: string) => (await api(stack)('GET', `/v1/customers/${userId}`)).body;
  const rewardsFor = (friendId: string) =>
    stack.bus.events.filter(
      (e) =>
        e['detail-type'] === DetailType.RewardIssued &&
        (e.detail as { friendId: string }).friendId === friendId,
    );

  it('rewards both people once when a referred friend buys, never again, and refuses self-referral', async () => {
    // Prepare: A buys and gets a code
    const a = await customer('referrer');
    await a.send('Order Completed', { properties: { order_id: 'a-1' } });
    const code = (await profile(a.userId)).referralCode as string;
    expect(code).toBeTruthy();

    // Act: B arrives with A's code and buys
    const b = await customer('friend');
    await b.send('Page Viewed', { properties: { referralCode: code } });
    await b.send('Order Completed', { properties: { order_id: 'b-1' } });

    // Assess: two Reward Issued events (one per side) and two reward mails
    await eventually(async () => expect(rewardsFor(b.userId)).toHaveLength(2));
    expect(
      rewardsFor(b.userId)
        .map((e) => (e.detail as { customerId: string }).customerId)
        .sort(),
    ).toEqual([a.userId, b.userId].sort());
    await eventually(async () => {
      expect(sentTemplates(await messages(stack, a.userId))).toContain('referral-reward');
      expect(sentTemplates(await messages(stack, b.userId))).toContain('referral-reward');
    });
    expect((await profile(b.userId)).referredBy).toBe(a.userId);

    // Act: B buys again; A uses A's own code
    await b.send('Order Completed', { properties: { order_id: 'b-2' } });
    await a.send('Page Viewed', { properties: { referralCode: code } });
    await eventually(async () => expect(sentTemplates(await messages(stack, b.userId))).toHaveLength(3));
    await stack.streamRelay.settled();
    await stack.bus.idle();
    await stack.stepFunctions.idle();

    // Assess: still exactly two rewards and two reward mails; A is not referred by anyone
    expect(rewardsFor(b.userId)).toHaveLength(2);
    const rewardMails = [...(await messages(stack, a.userId)), ...(await messages(stack, b.userId))].filter(
      (m) => m.template === 'referral-reward' && m.status === 'sent',
    );
    expect(rewardMails).toHaveLength(2);
    expect((await profile(a.userId)).referredBy).toBeNull();
    expect(
      stack.bus.events.filter(
        (e) =>
          e['detail-type'] === DetailType.ReferralConverted &&
          (e.detail as { friendId: string }).friendId === a.userId,
      ),
    ).toEqual([]);
  });

  it('refuses a referral cycle: B cannot refer A when A referred B', async () => {
    // Prepare
    const a = await customer('cycle-a');
    const b = await customer('cycle-b');
    await a.send('Order Completed', { properties: { order_id: 'ca-1' } });
    const codeA = (await profile(a.userId)).referralCode;
    const codeB = (await profile(b.userId)).referralCode;
    await b.send('Page Viewed', { properties: { referralCode: codeA } });
    expect((await profile(b.userId)).referredBy).toBe(a.userId);

    // Act
    await a.send('Page Viewed', { properties: { referralCode: codeB } });

    // Assess
    expect((await profile(a.userId)).referredBy).toBeNull();
  });
});
