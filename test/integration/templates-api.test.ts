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

  /** What every write records: when, and who (the admin key's name). */
  const changed = { updatedAt: expect.any(String), updatedBy: expect.stringContaining('admin') };

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
    // Every change records who made it: the admin key's name, and when.
    const adminName = (await admin('GET', '/v1/keys/current')).body.name;
    expect((await admin('GET', '/v1/templates/spring-sale')).body).toEqual({
      name: 'spring-sale',
      ...body,
      updatedAt: created.body.updatedAt,
      updatedBy: adminName,
    });
    expect(created.body.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    // A seeded default was never changed through the API, so it names no one.
    const seeded = (await admin('GET', `/v1/templates/${DEFAULT_CAMPAIGN_TEMPLATES[0]}`)).body;
    expect(seeded).not.toHaveProperty('updatedBy');
    expect(seeded).not.toHaveProperty('updatedAt');
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

  // Issue 12: each of these was accepted and rendered a customer's <img onerror> unescaped.
  it.each([
    ['{{{this.raw.firstName}}}', '"raw" is reserved'],
    ['{{{[raw].firstName}}}', '"raw" is reserved'],
    ['{{{@root.raw.firstName}}}', '"raw" is reserved'],
    ['{{#with (lookup this "raw")}}{{firstName}}{{/with}}', '"raw" is reserved'],
    ['{{#each products}}{{../raw.firstName}}{{/each}}', '"raw" is reserved'],
    ['{{#with (lookup . firstName)}}{{firstName}}{{/with}}', 'computed key'],
    ['{{#each this}}{{#each this}}{{this}}{{/each}}{{/each}}', 'each over the root'],
    ['{{{firstName}}}', 'triple-stash'],
    ['{{> unsafe}}', 'partials'],
  ])('refuses html that can reach customer data unescaped: %s', async (html, reason) => {
    const name = uid('xss').toLowerCase();
    const res = await admin('PUT', `/v1/templates/${name}`, {
      locales: { en: { subject: 'Hi', html: `<p>${html}</p>` } },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors).toContainEqual(
      expect.objectContaining({ path: 'locales.en.html', message: expect.stringContaining(reason) }),
    );
    expect((await admin('GET', `/v1/templates/${name}`)).status).toBe(404);
  });

  // Issue 10: PUT with only `en` silently deleted the German version.
  it('answers a PUT with the languages it removed', async () => {
    const name = uid('full').toLowerCase();
    const en = { subject: 'Hi', html: '<p>Hi</p>' };
    const de = { subject: 'Hallo', html: '<p>Hallo</p>' };
    const created = await admin('PUT', `/v1/templates/${name}`, { locales: { en, de } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ name, locales: { en, de }, removedLocales: [], ...changed });

    const replaced = await admin('PUT', `/v1/templates/${name}`, { locales: { en } });

    expect(replaced.status).toBe(200);
    expect(replaced.body).toEqual({ name, locales: { en }, removedLocales: ['de'], ...changed });
    expect((await admin('GET', `/v1/templates/${name}`)).body.locales).toEqual({ en });
  });

  it('PATCH changes only what a JSON merge patch names, validated as a whole', async () => {
    const name = uid('patch').toLowerCase();
    const en = { subject: 'Hi {{firstName}}', html: '<p>Hi {{firstName}}</p>', text: 'Hi {{firstName}}' };
    const de = { subject: 'Hallo {{firstName}}', html: '<p>Hallo</p>' };
    await admin('PUT', `/v1/templates/${name}`, { locales: { en, de } });
    const patch = (body: unknown, contentType = 'application/merge-patch+json') =>
      admin('PATCH', `/v1/templates/${name}`, body, { 'content-type': contentType });

    const subject = await patch({ locales: { en: { subject: 'Welcome {{firstName}}' } } });
    expect(subject.status).toBe(200);
    expect(subject.body).toEqual({
      name,
      locales: { en: { ...en, subject: 'Welcome {{firstName}}' }, de },
      removedLocales: [],
      ...changed,
    });
    const noText = await patch({ locales: { en: { text: null } } }, 'application/json; charset=utf-8');
    expect(noText.body.locales.en).toEqual({ subject: 'Welcome {{firstName}}', html: en.html });
    const noGerman = await patch({ locales: { de: null } });
    expect(noGerman.body.removedLocales).toEqual(['de']);
    expect((await admin('GET', `/v1/templates/${name}`)).body).toEqual({
      name,
      locales: { en: { subject: 'Welcome {{firstName}}', html: en.html } },
      ...changed,
    });

    const unsafe = await patch({ locales: { en: { html: '{{{@root.raw.firstName}}}' } } });
    expect(unsafe.status).toBe(400);
    expect(unsafe.body.errors.map((e: { path: string }) => e.path)).toEqual([
      'locales.en.html',
      'locales.en.html',
    ]);
    const halfGerman = await patch({ locales: { de: { subject: 'Hallo' } } });
    expect(halfGerman.body.errors).toEqual([expect.objectContaining({ path: 'locales.de.html' })]);
    expect((await patch({ locales: { en: null } })).status).toBe(400);
    expect((await patch({ locales: {} }, 'text/plain')).status).toBe(415);
    expect((await admin('PATCH', '/v1/templates/never-made', { locales: {} })).status).toBe(404);
    expect((await admin('GET', `/v1/templates/${name}`)).body.locales.en.html).toBe(en.html);
  });

  // Issue 10: the regex rewriter left these forms escaped in subject and text, or broke them.
  it('renders ../, @root and block params unescaped in subject and text, escaped in html', async () => {
    const name = uid('scopes').toLowerCase();
    const put = await admin('PUT', `/v1/templates/${name}`, {
      locales: {
        en: {
          subject: '{{#each products}}{{name}} for {{../firstName}}{{/each}} / {{@root.orderId}}',
          html: '<ul>{{#each products as |p|}}<li>{{p.name}} for {{../firstName}}</li>{{/each}}</ul>',
          text: '{{#each products as |p i|}}{{i}}: {{p.name}} for {{@root.firstName}}\n{{/each}}',
        },
      },
    });
    expect(put.status).toBe(201);
    const userId = uid('u');
    await identify(userId, { email: `${userId}@example.com`, firstName: 'Ann & <Bo>' });

    const res = await admin('POST', `/v1/templates/${name}/preview`, {
      customerId: userId,
      data: { orderId: 'A&B-1', products: [{ name: 'Tea & "Cups"' }] },
    });

    expect(res.status).toBe(200);
    expect(res.body.subject).toBe('Tea & "Cups" for Ann & <Bo> / A&B-1');
    expect(res.body.text.trim()).toBe('0: Tea & "Cups" for Ann & <Bo>');
    expect(res.body.html).toBe('<ul><li>Tea &amp; &quot;Cups&quot; for Ann &amp; &lt;Bo&gt;</li></ul>');
  });

  // Issue 12: firstName `Ada\r\nBcc: evil@example.com` arrived verbatim in the subject.
  it('keeps a subject one line whatever the data holds, and refuses a subject with a line break', async () => {
    const userId = uid('u');
    await identify(userId, { email: `${userId}@example.com`, firstName: 'Ada\r\nBcc: evil@example.com' });
    const res = await admin('POST', '/v1/templates/thank-you/preview', {
      customerId: userId,
      data: { orderId: 'o-1\r\nBcc: evil@example.com' },
    });
    expect(res.status).toBe(200);
    expect(res.body.subject).toBe('Thank you for your order o-1 Bcc: evil@example.com');
    expect(res.body.html).toContain('Ada Bcc: evil@example.com');
    const multiline = await admin('PUT', `/v1/templates/${uid('crlf').toLowerCase()}`, {
      locales: { en: { subject: 'Hi\r\nBcc: evil@example.com', html: '<p>x</p>' } },
    });
    expect(multiline.status).toBe(400);
    expect(multiline.body.errors).toEqual([expect.objectContaining({ path: 'locales.en.subject' })]);
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
    // Without a customer, sample data fills the template, as a test send's does.
    const sample = await admin('POST', '/v1/templates/thank-you/preview', { locale: 'de' });
    expect(sample.status).toBe(200);
    expect(sample.body).toMatchObject({ template: 'thank-you', locale: 'de', sample: true });
    expect(sample.body.subject).not.toContain('{{');
  });

  it('test-sends a template with sample data to the given address only, rendered like a send', async () => {
    const to = `${uid('marketer')}@example.com`;
    const res = await admin('POST', '/v1/templates/review-request/test-send', { to, locale: 'de-AT' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ to, template: 'review-request', locale: 'de', sample: true });
    const mails = await stack.ses.mails(to);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail.subject).toBe('Wie gefällt Ihnen Ihre Bestellung SAMPLE-1001?');
    expect(mail.body.html).toContain('Sample product');
    expect(mail.headers).toContainEqual({ name: 'X-Stageflow-Test-Send', value: 'true' });
    // Its unsubscribe link is a sample: it unsubscribes nobody.
    expect(mail.body.html).toContain(`${stack.url}/v1/unsubscribe/test-send-sample`);
  });

  it("test-sends with a customer's data, escaped, to the given address and not to the customer", async () => {
    const userId = uid('u');
    const customerEmail = `${userId}@example.com`;
    await identify(userId, { email: customerEmail, firstName: XSS, locale: 'de' });
    const to = `${uid('marketer')}@example.com`;
    const res = await admin('POST', '/v1/templates/thank-you/test-send', {
      to,
      locale: 'en',
      customerId: userId,
      data: { orderId: 'o-77' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ locale: 'en', sample: false });
    const [mail] = await stack.ses.mails(to);
    expect(mail.subject).toBe('Thank you for your order o-77');
    expect(mail.body.html).not.toContain('<script>');
    expect(mail.body.html).toContain('&lt;script&gt;');
    expect(await stack.ses.mails(customerEmail)).toEqual([]);
  });

  it('refuses a test send to a list, a display name or a header, naming the field; 404 for unknowns', async () => {
    for (const to of [
      'a@example.com, b@example.com',
      'Ada <ada@example.com>',
      'a@example.com\r\nBcc: x@y.de',
      '',
    ]) {
      const res = await admin('POST', '/v1/templates/thank-you/test-send', { to, locale: 'en' });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['to']);
    }
    const noLocale = await admin('POST', '/v1/templates/thank-you/test-send', { to: 'a@example.com' });
    expect(noLocale.status).toBe(400);
    expect(noLocale.body.errors.map((e: { path: string }) => e.path)).toEqual(['locale']);
    const to = `${uid('x')}@example.com`;
    expect((await admin('POST', '/v1/templates/no-such/test-send', { to, locale: 'en' })).status).toBe(404);
    const nobody = await admin('POST', '/v1/templates/thank-you/test-send', {
      to,
      locale: 'en',
      customerId: uid('nobody'),
    });
    expect(nobody.status).toBe(404);
    expect(await stack.ses.mails(to)).toEqual([]);
    const ingest = await api(stack)('POST', '/v1/templates/thank-you/test-send', { to, locale: 'en' });
    expect(ingest.status).toBe(403);
  });

  it('answers 503 with Retry-After when the mail provider fails a test send', async () => {
    const to = `${uid('f')}@example.com`;
    stack.ses.failNext(1);
    const res = await admin('POST', '/v1/templates/thank-you/test-send', { to, locale: 'en' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.headers.get('content-type')).toBe('application/problem+json');
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
