import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { eventually } from '../support/eventually.js';
import { journey, messages } from '../support/flows.js';
import { api, testStack, uid } from '../support/local.js';

/**
 * Issue 12, item 4, end to end: identify → purchase → thank-you flow → SES (aws-ses-v2-local).
 * No CR or LF from customer data reaches a header, and a recipient that is not one addr-spec
 * is never sent to.
 */
describe('Mail headers and recipients', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    process.env.STAGEFLOW_TIME_SCALE = '0.000002';
    stack = await testStack('mail-headers');
  });
  afterAll(async () => stack.stop());

  const customer = async (email: string, traits: Record<string, unknown> = {}) => {
    const userId = uid('hdr');
    const res = await api(stack)('POST', '/v1/identify', {
      messageId: `${userId}-identify`,
      userId,
      traits: { email: email.replaceAll('{id}', userId), ...traits },
    });
    expect(res.status).toBe(200);
    return { userId, send: journey(stack, userId) };
  };

  it('sends the thank-you with line breaks taken out of the name and the order id', async () => {
    // Prepare
    const { userId, send } = await customer('{id}@example.com', {
      firstName: 'Ada\r\nBcc: evil@example.com',
    });
    // CR and LF in an id are refused at the edge (test/integration/hostile-input.test.ts); a
    // Unicode line separator is not a control character, so it reaches the mailer, which flattens it.
    const orderId = `o-1\u2028Bcc: evil-${userId}@example.com`;

    // Act
    await send('Order Completed', { properties: { order_id: orderId } });

    // Assess
    const [mail] = await eventually(async () => {
      const mails = await stack.ses.mails(`${userId}@example.com`);
      expect(mails).toHaveLength(1);
      return mails;
    });
    expect(mail.subject).toBe(`Thank you for your order o-1 Bcc: evil-${userId}@example.com`);
    expect(mail.destination).toEqual({ to: [`${userId}@example.com`], cc: [], bcc: [] });
    for (const h of mail.headers ?? []) expect(`${h.name}: ${h.value}`).not.toMatch(/[\r\n]|^bcc/i);
    expect(mail.body.text).toContain('Ada Bcc: evil@example.com');
    expect(await stack.ses.mails(`evil-${userId}`)).toEqual([]);
  });

  it.each([['@'], ['a@{id}.example, b@{id}.example'], ['{id}@example.com\r\nBcc: evil-{id}@example.com']])(
    'never sends to %j: the log says suppressed, invalid-address',
    async (email) => {
      // Prepare
      const { userId, send } = await customer(email);

      // Act
      await send('Order Completed', { properties: { order_id: 'o-2' } });

      // Assess
      const [item] = await eventually(async () => {
        const log = await messages(stack, userId);
        expect(log.map((m) => m.status)).toEqual(['suppressed']);
        return log;
      });
      expect(item).toMatchObject({
        template: 'thank-you',
        reason: 'invalid-address',
        reasonCode: 'invalid-address',
        to: null,
      });
      expect(await stack.ses.mails(userId)).toEqual([]);
      const visible = await api(stack, stack.keys.admin)('GET', `/v1/customers/${userId}/messages`);
      expect(visible.body.items).toEqual([expect.objectContaining({ reasonCode: 'invalid-address' })]);
    },
  );
});
