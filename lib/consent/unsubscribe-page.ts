import type { Locale } from '../shared/locale.js';

export type PageKind = 'confirm' | 'done' | 'invalid' | 'unknown';

const TEXT: Record<Locale, Record<PageKind, { title: string; body: string; button?: string }>> = {
  en: {
    confirm: {
      title: 'Unsubscribe',
      body: 'Do you want to stop receiving marketing emails from us? Order and service messages still reach you.',
      button: 'Unsubscribe',
    },
    done: {
      title: 'You are unsubscribed',
      body: 'You will get no more marketing emails from us. Order and service messages still reach you.',
    },
    invalid: {
      title: 'Link not valid',
      body: 'This unsubscribe link is not valid. Please use the link from your email.',
    },
    unknown: { title: 'Nothing to unsubscribe', body: 'There is no subscription for this link any more.' },
  },
  de: {
    confirm: {
      title: 'Abmelden',
      body: 'Möchten Sie keine Werbe-E-Mails mehr von uns erhalten? Bestell- und Service-Nachrichten erhalten Sie weiterhin.',
      button: 'Abmelden',
    },
    done: {
      title: 'Sie sind abgemeldet',
      body: 'Sie erhalten keine Werbe-E-Mails mehr von uns. Bestell- und Service-Nachrichten erhalten Sie weiterhin.',
    },
    invalid: {
      title: 'Link ungültig',
      body: 'Dieser Abmeldelink ist nicht gültig. Bitte verwenden Sie den Link aus Ihrer E-Mail.',
    },
    unknown: { title: 'Nichts abzumelden', body: 'Zu diesem Link gibt es kein Abonnement mehr.' },
  },
};

/** The small page a person sees behind an unsubscribe link; its form POSTs back to the same URL. */
export function unsubscribePage(kind: PageKind, locale: Locale, shopName: string): string {
  const t = TEXT[locale][kind];
  const shop = shopName.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const form = t.button
    ? `<form method="post"><input type="hidden" name="confirm" value="yes"><button type="submit">${t.button}</button></form>`
    : '';
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${t.title} · ${shop}</title>
<style>body{font-family:system-ui,Arial,sans-serif;background:#f6f6f6;color:#222;margin:0;padding:48px 16px}
main{max-width:440px;margin:0 auto;background:#fff;padding:32px;border-radius:8px}
button{font:inherit;padding:10px 20px;border:0;border-radius:6px;background:#1f6feb;color:#fff;cursor:pointer}</style>
</head><body><main><h1>${t.title}</h1><p>${t.body}</p>${form}<p><small>${shop}</small></p></main></body></html>`;
}

/** Headers for the page: it carries a token in its URL, so it is never cached, framed or referred. */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
} as const;
