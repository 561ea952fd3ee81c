import type { LocalisedContent, Template } from './template.js';

/**
 * Default templates for the default campaigns, in English and German. Every value a
 * customer can influence is HTML-escaped before SES sees it (template-data.ts), so these
 * may use plain `{{var}}`.
 */

const layout = (body: string, footer: string) =>
  `<!doctype html><html><body style="margin:0;padding:24px;font-family:Arial,Helvetica,sans-serif;color:#222;background:#f6f6f6">` +
  `<div style="max-width:560px;margin:0 auto;background:#fff;padding:24px;border-radius:8px">${body}</div>` +
  `<p style="max-width:560px;margin:16px auto 0;font-size:12px;color:#777">${footer}</p></body></html>`;

const productList = '<ul>{{#each products}}<li>{{name}}</li>{{/each}}</ul>';
const productText = '{{#each products}}- {{name}}\n{{/each}}';

const marketingFooter = {
  en: '{{shopName}} · You get this mail because you shop with us. <a ses:no-track href="{{unsubscribeUrl}}">Unsubscribe</a>',
  de: '{{shopName}} · Sie erhalten diese E-Mail als Kundin oder Kunde bei uns. <a ses:no-track href="{{unsubscribeUrl}}">Abmelden</a>',
};
const marketingTextFooter = {
  en: '\n\n--\n{{shopName}}\nUnsubscribe: {{unsubscribeUrl}}',
  de: '\n\n--\n{{shopName}}\nAbmelden: {{unsubscribeUrl}}',
};
const serviceFooter = {
  en: '{{shopName}} · This is a service message about your order.',
  de: '{{shopName}} · Dies ist eine Service-Nachricht zu Ihrer Bestellung.',
};

type Lang = 'en' | 'de';

function mail(
  lang: Lang,
  kind: 'marketing' | 'service',
  subject: string,
  htmlBody: string,
  textBody: string,
): LocalisedContent {
  const marketing = kind === 'marketing';
  return {
    subject,
    html: layout(htmlBody, marketing ? marketingFooter[lang] : serviceFooter[lang]),
    text: `${textBody}${marketing ? marketingTextFooter[lang] : `\n\n--\n{{shopName}}`}`,
  };
}

const hello = {
  en: 'Hi{{#if firstName}} {{firstName}}{{/if}},',
  de: 'Hallo{{#if firstName}} {{firstName}}{{/if}},',
};
const link = (url: string, label: string) =>
  `<p><a href="${url}" style="display:inline-block;padding:10px 18px;background:#1f6feb;color:#fff;text-decoration:none;border-radius:6px">${label}</a></p>`;

export const DEFAULT_TEMPLATES: readonly Template[] = [
  {
    name: 'nurture-consider',
    locales: {
      en: mail(
        'en',
        'marketing',
        'Ideas from {{shopName}} you might like',
        `<p>${hello.en}</p><p>Thanks for stopping by. Here is what other customers love right now.</p>${link('{{shopUrl}}', 'Get inspired')}`,
        `${hello.en}\n\nThanks for stopping by. Here is what other customers love right now:\n{{shopUrl}}`,
      ),
      de: mail(
        'de',
        'marketing',
        'Ideen von {{shopName}}, die Ihnen gefallen könnten',
        `<p>${hello.de}</p><p>Schön, dass Sie vorbeigeschaut haben. Das lieben andere Kundinnen und Kunden gerade.</p>${link('{{shopUrl}}', 'Inspirieren lassen')}`,
        `${hello.de}\n\nSchön, dass Sie vorbeigeschaut haben. Das lieben andere gerade:\n{{shopUrl}}`,
      ),
    },
  },
  {
    name: 'nurture-research',
    locales: {
      en: mail(
        'en',
        'marketing',
        'Compare, read reviews, choose well',
        `<p>${hello.en}</p><p>Still comparing? Our guides and honest customer reviews help you pick the right one.</p>${link('{{shopUrl}}', 'Read the guides')}`,
        `${hello.en}\n\nStill comparing? Our guides and customer reviews help you pick the right one:\n{{shopUrl}}`,
      ),
      de: mail(
        'de',
        'marketing',
        'Vergleichen, Bewertungen lesen, gut entscheiden',
        `<p>${hello.de}</p><p>Sie vergleichen noch? Unsere Ratgeber und ehrliche Kundenbewertungen helfen bei der Wahl.</p>${link('{{shopUrl}}', 'Zu den Ratgebern')}`,
        `${hello.de}\n\nSie vergleichen noch? Unsere Ratgeber und Kundenbewertungen helfen bei der Wahl:\n{{shopUrl}}`,
      ),
    },
  },
  {
    name: 'cart-reminder',
    locales: {
      en: mail(
        'en',
        'marketing',
        'You left something in your cart',
        `<p>${hello.en}</p><p>Your cart is waiting for you.</p>${productList}${link('{{shopUrl}}', 'Back to my cart')}`,
        `${hello.en}\n\nYour cart is waiting for you:\n${productText}\n{{shopUrl}}`,
      ),
      de: mail(
        'de',
        'marketing',
        'Ihr Warenkorb wartet auf Sie',
        `<p>${hello.de}</p><p>Ihr Warenkorb wartet noch auf Sie.</p>${productList}${link('{{shopUrl}}', 'Zum Warenkorb')}`,
        `${hello.de}\n\nIhr Warenkorb wartet noch auf Sie:\n${productText}\n{{shopUrl}}`,
      ),
    },
  },
  {
    name: 'thank-you',
    locales: {
      en: mail(
        'en',
        'service',
        'Thank you for your order {{orderId}}',
        `<p>${hello.en}</p><p>Thank you for your order <strong>{{orderId}}</strong>.</p>${productList}` +
          `{{#if referralCode}}<p>Share your personal link with friends: they get a welcome reward, and so do you when they buy. Your code: <strong>{{referralCode}}</strong></p>${link('{{referralUrl}}', 'Share my link')}{{/if}}`,
        `${hello.en}\n\nThank you for your order {{orderId}}.\n${productText}{{#if referralCode}}\nShare your personal link with friends: {{referralUrl}}\nYour code: {{referralCode}}{{/if}}`,
      ),
      de: mail(
        'de',
        'service',
        'Vielen Dank für Ihre Bestellung {{orderId}}',
        `<p>${hello.de}</p><p>Vielen Dank für Ihre Bestellung <strong>{{orderId}}</strong>.</p>${productList}` +
          `{{#if referralCode}}<p>Teilen Sie Ihren persönlichen Link mit Freunden: Sie bekommen ein Willkommensgeschenk und Sie eine Prämie, wenn sie bestellen. Ihr Code: <strong>{{referralCode}}</strong></p>${link('{{referralUrl}}', 'Link teilen')}{{/if}}`,
        `${hello.de}\n\nVielen Dank für Ihre Bestellung {{orderId}}.\n${productText}{{#if referralCode}}\nTeilen Sie Ihren persönlichen Link: {{referralUrl}}\nIhr Code: {{referralCode}}{{/if}}`,
      ),
    },
  },
  {
    name: 'review-request',
    locales: {
      en: mail(
        'en',
        'marketing',
        'How do you like your order {{orderId}}?',
        `<p>${hello.en}</p><p>You have had your order <strong>{{orderId}}</strong> for a week now. How do you like it?</p>${productList}${link('{{shopUrl}}', 'Write a review')}`,
        `${hello.en}\n\nYou have had your order {{orderId}} for a week now. How do you like it?\n${productText}\nWrite a review: {{shopUrl}}`,
      ),
      de: mail(
        'de',
        'marketing',
        'Wie gefällt Ihnen Ihre Bestellung {{orderId}}?',
        `<p>${hello.de}</p><p>Ihre Bestellung <strong>{{orderId}}</strong> ist seit einer Woche bei Ihnen. Wie gefällt sie Ihnen?</p>${productList}${link('{{shopUrl}}', 'Bewertung schreiben')}`,
        `${hello.de}\n\nIhre Bestellung {{orderId}} ist seit einer Woche bei Ihnen. Wie gefällt sie Ihnen?\n${productText}\nBewertung schreiben: {{shopUrl}}`,
      ),
    },
  },
  {
    name: 'review-reminder',
    locales: {
      en: mail(
        'en',
        'marketing',
        'A minute for a review of order {{orderId}}?',
        `<p>${hello.en}</p><p>Your review helps other customers choose. It takes a minute:</p>${productList}${link('{{shopUrl}}', 'Write a review')}`,
        `${hello.en}\n\nYour review helps other customers choose. It takes a minute:\n${productText}\n{{shopUrl}}`,
      ),
      de: mail(
        'de',
        'marketing',
        'Eine Minute für eine Bewertung zu {{orderId}}?',
        `<p>${hello.de}</p><p>Ihre Bewertung hilft anderen bei der Wahl. Es dauert nur eine Minute:</p>${productList}${link('{{shopUrl}}', 'Bewertung schreiben')}`,
        `${hello.de}\n\nIhre Bewertung hilft anderen bei der Wahl. Es dauert nur eine Minute:\n${productText}\n{{shopUrl}}`,
      ),
    },
  },
  {
    name: 'referral-reward',
    locales: {
      en: mail(
        'en',
        'service',
        '{{#if isReferrer}}Your friend bought: here is your reward{{else}}Welcome: here is your reward{{/if}}',
        `<p>${hello.en}</p>{{#if isReferrer}}<p>A friend you invited has placed their first order. Thank you for recommending us: your reward is on its way.</p>{{else}}<p>You came to us through a friend's recommendation. Thank you for your first order: your welcome reward is on its way.</p>{{/if}}${link('{{shopUrl}}', 'Visit {{shopName}}')}`,
        `${hello.en}\n\n{{#if isReferrer}}A friend you invited has placed their first order. Your reward is on its way.{{else}}Thank you for your first order. Your welcome reward is on its way.{{/if}}\n{{shopUrl}}`,
      ),
      de: mail(
        'de',
        'service',
        '{{#if isReferrer}}Ihre Empfehlung hat bestellt: Ihre Prämie{{else}}Willkommen: Ihr Geschenk{{/if}}',
        `<p>${hello.de}</p>{{#if isReferrer}}<p>Eine Person, die Sie eingeladen haben, hat zum ersten Mal bestellt. Danke für Ihre Empfehlung: Ihre Prämie ist unterwegs.</p>{{else}}<p>Sie sind auf Empfehlung zu uns gekommen. Danke für Ihre erste Bestellung: Ihr Willkommensgeschenk ist unterwegs.</p>{{/if}}${link('{{shopUrl}}', 'Zu {{shopName}}')}`,
        `${hello.de}\n\n{{#if isReferrer}}Eine von Ihnen eingeladene Person hat zum ersten Mal bestellt. Ihre Prämie ist unterwegs.{{else}}Danke für Ihre erste Bestellung. Ihr Willkommensgeschenk ist unterwegs.{{/if}}\n{{shopUrl}}`,
      ),
    },
  },
  {
    name: 'repeat-offer',
    locales: {
      en: mail(
        'en',
        'marketing',
        'Time for a refill? An offer for you',
        `<p>${hello.en}</p><p>Welcome back! As a returning customer you get a special offer on your next order.</p>${link('{{shopUrl}}', 'See my offer')}`,
        `${hello.en}\n\nWelcome back! As a returning customer you get a special offer on your next order:\n{{shopUrl}}`,
      ),
      de: mail(
        'de',
        'marketing',
        'Zeit zum Nachkaufen? Ein Angebot für Sie',
        `<p>${hello.de}</p><p>Schön, Sie wiederzusehen! Als Stammkundin oder Stammkunde erhalten Sie ein besonderes Angebot.</p>${link('{{shopUrl}}', 'Zum Angebot')}`,
        `${hello.de}\n\nSchön, Sie wiederzusehen! Als Stammkundin oder Stammkunde erhalten Sie ein besonderes Angebot:\n{{shopUrl}}`,
      ),
    },
  },
  {
    name: 'repeat-reminder',
    locales: {
      en: mail(
        'en',
        'marketing',
        'Your offer ends soon',
        `<p>${hello.en}</p><p>A quick reminder: your returning-customer offer ends soon.</p>${link('{{shopUrl}}', 'Use my offer')}`,
        `${hello.en}\n\nA quick reminder: your returning-customer offer ends soon:\n{{shopUrl}}`,
      ),
      de: mail(
        'de',
        'marketing',
        'Ihr Angebot endet bald',
        `<p>${hello.de}</p><p>Eine kurze Erinnerung: Ihr Angebot für Stammkunden endet bald.</p>${link('{{shopUrl}}', 'Angebot nutzen')}`,
        `${hello.de}\n\nEine kurze Erinnerung: Ihr Angebot für Stammkunden endet bald:\n{{shopUrl}}`,
      ),
    },
  },
];
