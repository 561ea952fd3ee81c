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
      '{{#each raw.items}}{{@root.raw.shopName}}{{/each}}{{this.raw}}',
    ],
    [
      '{{lookup products 0}} {{#if a}}x{{else if b}}y{{/if}}',
      '{{lookup raw.products 0}} {{#if raw.a}}x{{else if raw.b}}y{{/if}}',
    ],
    // Issue 10: `../` and @root read the root from inside a block, so they read raw too.
    [
      '{{#each products}}{{name}} for {{../firstName}}, {{@root.firstName}}{{/each}}',
      '{{#each raw.products}}{{name}} for {{../raw.firstName}}, {{@root.raw.firstName}}{{/each}}',
    ],
    // Block params name the item; the root lookups beside them are still rewritten.
    [
      '{{#each products as |p i|}}{{i}}. {{p.name}} {{../orderId}}{{else}}{{firstName}}{{/each}}',
      '{{#each raw.products as |p i|}}{{i}}. {{p.name}} {{../raw.orderId}}{{else}}{{raw.firstName}}{{/each}}',
    ],
    // `with this` at the root becomes the raw object, so what it holds is read as is.
    ['{{#with this}}{{firstName}}{{/with}}', '{{#with this.raw}}{{firstName}}{{/with}}'],
    // Inside a block, `with this` keeps the context: `../` still steps out to the root.
    [
      '{{#each products}}{{#with this}}{{../firstName}}{{/with}}{{/each}}',
      '{{#each raw.products}}{{#with this}}{{../raw.firstName}}{{/with}}{{/each}}',
    ],
    [
      '{{./firstName}} {{this/orderId}} {{[shop name]}} {{.}}\r\n{{lookup this "orderId"}}',
      '{{./raw.firstName}} {{this/raw.orderId}} {{raw.[shop name]}} {{./raw}}\r\n{{lookup this.raw "orderId"}}',
    ],
    [
      '{{#unless isReferrer}}\n  {{ shopUrl }}\n{{/unless}}',
      '{{#unless raw.isReferrer}}\n  {{ raw.shopUrl }}\n{{/unless}}',
    ],
  ])('points root lookups of %j at raw, and hideRawValues undoes it', (source, expected) => {
    expect(checkTemplate(source, 'text')).toEqual([]);
    expect(readRawValues(source)).toBe(expected);
    expect(hideRawValues(expected)).toBe(source);
  });
});

describe('Function: checkTemplate', () => {
  const reasons = (source: string, part: 'subject' | 'html' | 'text' = 'html') =>
    checkTemplate(source, part).map((p) => p.message);

  it('accepts balanced blocks, lookups of named keys and escaped values in html', () => {
    expect(
      reasons(
        '{{#each products}}{{#if name}}{{name}} {{@index}}{{/if}}{{/each}}' +
          '{{lookup products 0}}{{#with (lookup this "products")}}{{/with}}{{#with this}}{{shopUrl}}{{/with}}',
      ),
    ).toEqual([]);
  });

  it.each([
    ['{{#if a}}x', 'a block or a tag is not closed (line 1)'],
    ['{{/each}}', 'a closing tag closes no block (line 1)'],
    ['{{#each a}}{{/if}}', '{{/if}} closes {{#each}} (line 1)'],
    ['hi {{name', 'a {{ tag is not closed, or holds what Handlebars cannot read (line 1)'],
    ['{{else}}', '{{else}} outside a block (line 1)'],
  ])('reports the syntax error in %j', (source, message) => {
    expect(reasons(source, 'text')).toEqual([message]);
  });

  // Issue 12: each of these rendered a customer's <img onerror> unescaped from the html part.
  it.each([
    ['{{{this.raw.firstName}}}', ['triple-stash', '"raw" is reserved']],
    ['{{{[raw].firstName}}}', ['triple-stash', '"raw" is reserved']],
    ['{{{@root.raw.firstName}}}', ['triple-stash', '"raw" is reserved']],
    ['{{#with (lookup this "raw")}}{{firstName}}{{/with}}', ['"raw" is reserved']],
    ['{{this.raw.firstName}}', ['"raw" is reserved']],
    ['{{raw.firstName}}', ['"raw" is reserved']],
    ['{{#with raw}}{{firstName}}{{/with}}', ['"raw" is reserved']],
    ['{{#each products}}{{../raw.firstName}}{{/each}}', ['"raw" is reserved']],
    ['{{#each products}}{{#with this}}{{../raw.firstName}}{{/with}}{{/each}}', ['"raw" is reserved']],
    [
      '{{#each products}}{{#with @root.products.[0]}}{{../raw.firstName}}{{/with}}{{/each}}',
      ['"raw" is reserved'],
    ],
    ['{{#with this as |r|}}{{r.raw.firstName}}{{/with}}', ['"raw" is reserved']],
    ['{{lookup @root "raw"}}', ['"raw" is reserved']],
    ['{{#with (lookup . firstName)}}{{firstName}}{{/with}}', ['computed key']],
    ['{{#each products}}{{lookup .. @key}}{{/each}}', ['computed key']],
    ['{{#each this}}{{#each this}}{{this}}{{/each}}{{/each}}', ['each over the root']],
    ['{{#with @root}}{{#each .}}{{/each}}{{/with}}', ['each over the root']],
    ['{{&firstName}}', ['triple-stash']],
    ['<p>{{> footer}}</p>', ['partials']],
    ['{{#> layout}}x{{/layout}}', ['partials']],
    ['{{#*inline "x"}}{{firstName}}{{/inline}}', ['partials']],
    ['{{#raw}}{{firstName}}{{/raw}}', ['not a block helper']],
    ['{{{{raw}}}}{{firstName}}{{{{/raw}}}}', ['not a block helper']],
    ['{{#"raw"}}{{firstName}}{{/"raw"}}', ['not a block helper']],
    ['{{"raw"}}', ['a literal cannot name a value']],
    ['{{unescape firstName}}', ['unknown helper "unescape"']],
    ['{{lookup (unescape this) "firstName"}}', ['unknown helper "unescape"']],
    ['{{(lookup this "raw").firstName}}', ['not Handlebars 4']],
  ])('refuses %j in html, naming why', (source, expected) => {
    const found = reasons(source);
    expect(found).toHaveLength(expected.length);
    expected.forEach((reason, i) => {
      expect(found[i]).toContain(reason);
    });
  });

  it('names the tag and where it is', () => {
    expect(reasons('<p>\n  {{{@root.raw.firstName}}}</p>')).toEqual([
      '{{{@root.raw.firstName}}} (line 2, column 3): triple-stash and {{& }} output unescaped HTML; write {{name}}, values are escaped',
      '{{{@root.raw.firstName}}} (line 2, column 6): "raw" is reserved: it holds the unescaped values',
    ]);
  });

  it('keeps raw reserved in subject and text, where root lookups are rewritten to read it', () => {
    expect(reasons('{{@root.raw.firstName}}', 'subject')).toHaveLength(1);
    expect(reasons('{{#each products}}{{../raw.firstName}}{{/each}}', 'text')).toHaveLength(1);
    // Plain text needs no escaping: triple-stash and computed lookups are fine there.
    expect(reasons('{{{firstName}}} {{lookup this orderId}}', 'text')).toEqual([]);
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

  // Issue 12: this firstName and order id arrived verbatim in the Subject header.
  it('turns every line break into one space, in the escaped values and in raw', () => {
    const data = templateData({
      firstName: 'Ada\r\nBcc: evil@example.com',
      orderId: 'o-1\nBcc: evil@example.com\u2028x\u0085y',
      products: [{ name: 'Tea\r\n\r\npot' }],
    });
    expect(data.firstName).toBe('Ada Bcc: evil@example.com');
    expect(data.orderId).toBe('o-1 Bcc: evil@example.com x y');
    expect(data.raw).toEqual({
      firstName: 'Ada Bcc: evil@example.com',
      orderId: 'o-1 Bcc: evil@example.com x y',
      products: [{ name: 'Tea pot' }],
    });
    expect(JSON.stringify(data)).not.toMatch(/\\r|\\n/);
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
