import { describe, expect, it } from 'vitest';
import { checkTemplate, hideRawValues, readRawValues } from '../../lib/templates/handlebars.js';
import { decodeHeader, parseRenderedEmail } from '../../lib/templates/mime.js';
import { localeOf, parseSesTemplateName, sesTemplateName } from '../../lib/templates/template.js';
import { escapeHtml, templateData } from '../../lib/templates/template-data.js';

describe('Function: readRawValues', () => {
  it.each([
    ['Hi {{firstName}}', 'Hi {{raw.firstName}}'],
    ['{{#each products}}- {{name}}\n{{/each}}', '{{#each raw.products}}- {{name}}\n{{/each}}'],
    [
      '{{#if referralCode}}{{referralCode}}{{else}}{{shopName}}{{/if}}',
      '{{#if raw.referralCode}}{{raw.referralCode}}{{else}}{{raw.shopName}}{{/if}}',
    ],
    [
      '{{{firstName}}} {{~ orderId ~}} {{! firstName }}',
      '{{{raw.firstName}}} {{~ raw.orderId ~}} {{! firstName }}',
    ],
    [
      '{{#each items}}{{@root.shopName}}{{/each}}{{this}}',
      '{{#each raw.items}}{{@root.shopName}}{{/each}}{{this}}',
    ],
    [
      '{{lookup products 0}} {{#if a}}x{{else if b}}y{{/if}}',
      '{{lookup raw.products 0}} {{#if raw.a}}x{{else if raw.b}}y{{/if}}',
    ],
  ])('points root lookups of %j at raw, and hideRawValues undoes it', (source, expected) => {
    expect(readRawValues(source)).toBe(expected);
    expect(hideRawValues(expected)).toBe(source);
  });
});

describe('Function: checkTemplate', () => {
  it('accepts balanced blocks', () => {
    expect(checkTemplate('{{#each products}}{{#if name}}{{name}}{{/if}}{{/each}}')).toEqual([]);
  });

  it.each([
    ['{{#if a}}x', '{{#if}} is not closed'],
    ['{{/each}}', '{{/each}} closes no block'],
    ['{{#each a}}{{/if}}', '{{/if}} closes {{#each}}'],
    ['{{raw.firstName}}', '"raw" is a reserved name'],
    ['hi {{name', 'a {{ tag is not closed'],
    ['{{else}}', '{{else}} outside a block'],
  ])('reports %j', (source, message) => {
    expect(checkTemplate(source)).toContainEqual({ message });
  });
});

describe('Function: templateData', () => {
  it('escapes every string at the root, deeply, and keeps the originals under raw', () => {
    const data = templateData({
      firstName: `<b>"Ann" & 'Bo'</b>`,
      products: [{ name: '<i>x</i>' }, 'a=b'],
      count: 2,
      isReferrer: true,
      raw: 'a caller cannot smuggle this in',
    });
    expect(data.firstName).toBe('&lt;b&gt;&quot;Ann&quot; &amp; &#x27;Bo&#x27;&lt;/b&gt;');
    expect(data.products).toEqual([{ name: '&lt;i&gt;x&lt;/i&gt;' }, 'a&#x3D;b']);
    expect(data.count).toBe(2);
    expect(data.isReferrer).toBe(true);
    expect(data.raw).toEqual({
      firstName: `<b>"Ann" & 'Bo'</b>`,
      products: [{ name: '<i>x</i>' }, 'a=b'],
      count: 2,
      isReferrer: true,
    });
  });

  it('drops control characters that could break a header', () => {
    expect(templateData({ firstName: 'Ann\u0000\u001b' }).firstName).toBe('Ann');
    expect(escapeHtml('`x`')).toBe('&#x60;x&#x60;');
  });
});

describe('Function: parseRenderedEmail', () => {
  it('takes apart a multipart message with encoded words and quoted-printable', () => {
    const message = [
      'Subject: =?UTF-8?Q?Hallo_=3Cscript=3E_Gr=C3=BC=C3=9Fe?=',
      ' =?UTF-8?B?IOKAkyBqYQ==?=',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative;',
      ' boundary="--b1"',
      '',
      '----b1',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Gr=C3=BC=C3=9Fe, a long line that was wra=',
      'pped',
      '----b1',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('<p>Grüße</p>').toString('base64'),
      '----b1--',
      '',
    ].join('\r\n');
    expect(parseRenderedEmail(message)).toEqual({
      subject: 'Hallo <script> Grüße – ja',
      text: 'Grüße, a long line that was wrapped',
      html: '<p>Grüße</p>',
    });
    expect(decodeHeader('plain')).toBe('plain');
  });
});

describe('Function: localeOf', () => {
  it.each([
    ['de', 'de'],
    ['de-DE', 'de'],
    ['de_AT', 'de'],
    ['DE-ch', 'de'],
    ['en-GB', 'en'],
    ['fr', 'en'],
    [undefined, 'en'],
    [42, 'en'],
  ])('maps %j to %s', (trait, locale) => {
    expect(localeOf(trait)).toBe(locale);
  });

  it('names SES templates per deployment and language, and reads them back', () => {
    expect(sesTemplateName('stageflow-', 'thank-you', 'de')).toBe('stageflow-thank-you_de');
    expect(parseSesTemplateName('stageflow-', 'stageflow-thank-you_de')).toEqual({
      name: 'thank-you',
      locale: 'de',
    });
    expect(parseSesTemplateName('stageflow-', 'other-thank-you_de')).toBeNull();
    expect(parseSesTemplateName('stageflow-', 'stageflow-thank-you_fr')).toBeNull();
  });
});
