import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CAMPAIGN_TEMPLATES } from '../../lib/campaigns/defaults.js';
import { TransientSendError } from '../../lib/messaging/errors.js';
import { messaging } from '../../lib/runtime/messaging.js';
import type { LocalStack } from '../../local/stack.js';
import { api, testStack, uid } from '../support/local.js';

const XSS = '<script>alert("x")</script>';

describe('Templates API and sending', () => {
  let stack: LocalStack;
  let admin: ReturnType<typeof api>;
  const identify = (userId: string, traits: Record<string, unknown>) =>
    api(stack)('POST', '/v1/identify', { userId, traits, messageId: uid('m') });

  beforeAll(async () => {
    stack = await testStack('templates');
    admin = api(stack, stack.keys.admin);
  });
  afterAll(async () => stack.stop());

  it('lists the default templates of the default campaigns in English and German', async () => {
    const res = await admin('GET', '/v1/templates');
    expect(res.status).toBe(200);
    for (const name of DEFAULT_CAMPAIGN_TEMPLATES) {
      expect(res.body.items).toContainEqual({ name, locales: ['en', 'de'] });
    }
  });

  it('stores a template, reads it back as written, and replaces it', async () => {
    const body = {
      locales: {
        en: { subject: 'Hi {{firstName}}', html: '<p>Hi {{firstName}}</p>', text: 'Hi {{firstName}}' },
      },
    };
    const created = await admin('PUT', '/v1/templates/spring-sale', body);
    expect(created.status).toBe(201);
    expect((await admin('GET', '/v1/templates/spring-sale')).body).toEqual({ name: 'spring-sale', ...body });
    const replaced = await admin('PUT', '/v1/templates/spring-sale', {
      locales: { ...body.locales, de: { subject: 'Hallo {{firstName}}', html: '<p>Hallo</p>' } },
    });
    expect(replaced.status).toBe(200);
    expect((await admin('GET', '/v1/templates/spring-sale')).body.locales.de.subject).toBe(
      'Hallo {{firstName}}',
    );
  });

  it('refuses broken Handlebars and the reserved name, naming the part', async () => {
    const res = await admin('PUT', '/v1/templates/broken', {
      locales: { en: { subject: '{{raw.firstName}}', html: '<p>{{#if firstName}}hi</p>' } },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual([
      'locales.en.subject',
      'locales.en.html',
    ]);
    expect((await admin('PUT', '/v1/templates/Bad_Name', { locales: {} })).status).toBe(400);
    expect((await admin('GET', '/v1/templates/never-made')).status).toBe(404);
  });

  it('previews a template for a customer with every personal value HTML-escaped', async () => {
    const userId = uid('u');
    await identify(userId, { email: `${userId}@example.com`, firstName: XSS, locale: 'en-GB' });
    const res = await admin('POST', '/v1/templates/thank-you/preview', {
      customerId: userId,
      data: { orderId: 'A&B-1', products: ['<img src=x onerror=alert(1)>'] },
    });
    expect(res.status).toBe(200);
    expect(res.body.locale).toBe('en');
    expect(res.body.html).not.toContain('<script>');
    expect(res.body.html).not.toContain('<img src=x');
    expect(res.body.html).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;&#x2F;script&gt;'.replace('&#x2F;', '/'),
    );
    expect(res.body.html).toContain('A&amp;B-1');
    // The text part is not HTML: it carries the value as given, and so does the subject.
    expect(res.body.text).toContain('A&B-1');
    expect(res.body.subject).toBe('Thank you for your order A&B-1');
  });

  it('picks the German variant for de, de-DE and de_AT, English otherwise', async () => {
    for (const [locale, expected] of [
      ['de', 'de'],
      ['de-DE', 'de'],
      ['de_AT', 'de'],
      ['fr-FR', 'en'],
    ]) {
      const userId = uid('u');
      await identify(userId, { email: `${userId}@example.com`, firstName: 'Jana', locale });
      const res = await admin('POST', '/v1/templates/review-request/preview', {
        customerId: userId,
        data: { orderId: 'o-1', products: [{ name: 'Teekanne' }] },
      });
      expect(res.body.locale).toBe(expected);
      expect(res.body.subject).toBe(
        expected === 'de' ? 'Wie gefällt Ihnen Ihre Bestellung o-1?' : 'How do you like your order o-1?',
      );
      expect(res.body.html).toContain('Teekanne');
      expect(res.body.html).toContain(`${stack.url}/v1/unsubscribe/`);
    }
    const unknown = await admin('POST', '/v1/templates/thank-you/preview', { customerId: uid('nobody') });
    expect(unknown.status).toBe(404);
  });

  it('will not delete a template a campaign sends, deletes an unused one', async () => {
    expect((await admin('DELETE', '/v1/templates/thank-you')).status).toBe(409);
    expect((await admin('DELETE', '/v1/templates/spring-sale')).status).toBe(204);
    expect((await admin('GET', '/v1/templates/spring-sale')).status).toBe(404);
    expect((await admin('DELETE', '/v1/templates/spring-sale')).status).toBe(404);
  });

  it('sends marketing mail with RFC 8058 headers, escaped html and the one-click link', async () => {
    const to = `${uid('m')}@example.com`;
    const sent = await messaging().mailer.send({
      customerId: 'c-mail-1',
      to,
      template: 'review-request',
      locale: 'de-AT',
      category: 'marketing',
      data: { firstName: XSS, orderId: 'o-9', products: [{ name: 'Tasse', productId: 'p1' }] },
    });
    expect(sent).toMatchObject({ locale: 'de', sesTemplate: 'stageflow-review-request_de' });
    const [mail] = await stack.ses.mails(to);
    const header = (name: string) => mail.headers?.find((h) => h.name === name)?.value;
    expect(header('List-Unsubscribe')).toMatch(
      new RegExp(`^<${stack.url}/v1/unsubscribe/u1\\.[\\w-]+\\.[\\w-]+>$`),
    );
    expect(header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(mail.body.html).toContain(header('List-Unsubscribe')?.slice(1, -1));
    expect(mail.body.html).not.toContain('<script>');
    expect(mail.subject).toBe('Wie gefällt Ihnen Ihre Bestellung o-9?');
  });

  it('sends transactional mail without List-Unsubscribe', async () => {
    const to = `${uid('t')}@example.com`;
    await messaging().mailer.send({
      customerId: 'c-mail-2',
      to,
      template: 'thank-you',
      locale: undefined,
      category: 'transactional',
      data: { orderId: 'o-2', referralCode: 'ABC123' },
    });
    const [mail] = await stack.ses.mails(to);
    expect(mail.headers ?? []).toEqual([]);
    expect(mail.body.text).toContain('ABC123');
    expect(mail.body.text).toContain('https://shop.example/?ref=ABC123');
  });

  it('fails twice transiently with failNext, then sends exactly one mail', async () => {
    const to = `${uid('f')}@example.com`;
    const mail = {
      customerId: 'c-mail-3',
      to,
      template: 'thank-you',
      locale: 'en',
      category: 'transactional' as const,
      data: { orderId: 'o-3' },
    };
    stack.ses.failNext(2);
    await expect(messaging().mailer.send(mail)).rejects.toBeInstanceOf(TransientSendError);
    await expect(messaging().mailer.send(mail)).rejects.toBeInstanceOf(TransientSendError);
    await messaging().mailer.send(mail);
    expect(await stack.ses.mails(to)).toHaveLength(1);
  });
});
