import { randomUUID } from 'node:crypto';
import { SES_DETAIL_TYPES, type SesEventType } from '../lib/engagement/ses-event.js';

/** What the local SES remembers of a mail it accepted, to publish that mail's events. */
export interface LocalMail {
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  /** Custom tags as SendEmail gave them. */
  tags: Record<string, string>;
  configurationSet?: string;
  /** Tracked configuration set: links rewritten (their originals, by index) and an open pixel. */
  tracked: boolean;
  links: string[];
  sentAt: string;
}

/** An event as SES publishes it to EventBridge (Source, DetailType, Detail of a PutEvents entry). */
export interface SesBusEvent {
  source: 'aws.ses';
  detailType: string;
  detail: Record<string, unknown>;
  time: string;
}

const ACCOUNT = '000000000000';

/**
 * The SES event publishing record of `type` for a mail, in the shape SES sends to EventBridge:
 * `detail.eventType`, `detail.mail` (with `tags` as lists, the `ses:` tags SES adds) and the
 * event's own object (`delivery`, `open`, `click`, `bounce`, `complaint`, `send`).
 */
export function sesBusEvent(
  type: SesEventType,
  mail: LocalMail,
  own: Record<string, unknown> = {},
  at = new Date(),
): SesBusEvent {
  const tags: Record<string, string[]> = {
    'ses:operation': ['SendEmail'],
    'ses:source-ip': ['127.0.0.1'],
    'ses:from-domain': [mail.from.replace(/.*@/, '').replace(/>.*$/, '')],
    'ses:caller-identity': ['local'],
    ...(mail.configurationSet ? { 'ses:configuration-set': [mail.configurationSet] } : {}),
    ...Object.fromEntries(Object.entries(mail.tags).map(([k, v]) => [k, [v]])),
  };
  const timestamp = at.toISOString();
  const objectKey: Record<SesEventType, string> = {
    Send: 'send',
    Delivery: 'delivery',
    Open: 'open',
    Click: 'click',
    Bounce: 'bounce',
    Complaint: 'complaint',
    Reject: 'reject',
    'Rendering Failure': 'failure',
    DeliveryDelay: 'deliveryDelay',
  };
  return {
    source: 'aws.ses',
    detailType: SES_DETAIL_TYPES[type],
    time: timestamp,
    detail: {
      eventType: type,
      mail: {
        timestamp: mail.sentAt,
        source: mail.from,
        sourceArn: `arn:aws:ses:us-east-1:${ACCOUNT}:identity/${mail.from.replace(/.*</, '').replace(/>.*/, '')}`,
        sendingAccountId: ACCOUNT,
        messageId: mail.messageId,
        destination: mail.to,
        headersTruncated: false,
        headers: [],
        commonHeaders: { from: [mail.from], to: mail.to, messageId: mail.messageId, subject: mail.subject },
        tags,
      },
      [objectKey[type]]: type === 'Send' ? {} : { timestamp, ...own },
    },
  };
}

/** The SES mailbox simulator's answer for a recipient (`bounce+label@…` too), or null for none. */
export function simulatorOutcome(address: string): 'bounce' | 'complaint' | 'suppressionlist' | null {
  const m = /^([a-z]+)(?:\+[^@]*)?@simulator\.amazonses\.com$/i.exec(address.trim());
  const box = m?.[1].toLowerCase();
  return box === 'bounce' || box === 'complaint' || box === 'suppressionlist' ? box : null;
}

/** The events SES publishes for an accepted mail to one recipient, in the order it would. */
export function acceptedEvents(mail: LocalMail, at = new Date()): SesBusEvent[] {
  const to = mail.to[0] ?? '';
  const send = sesBusEvent('Send', mail, {}, at);
  switch (simulatorOutcome(to)) {
    case 'bounce':
    case 'suppressionlist': {
      const onList = simulatorOutcome(to) === 'suppressionlist';
      return [
        send,
        sesBusEvent(
          'Bounce',
          mail,
          {
            bounceType: 'Permanent',
            bounceSubType: onList ? 'OnAccountSuppressionList' : 'General',
            bouncedRecipients: [
              {
                emailAddress: to,
                action: 'failed',
                status: '5.1.1',
                diagnosticCode: 'smtp; 550 5.1.1 user unknown',
              },
            ],
            feedbackId: `local-${randomUUID()}`,
            reportingMTA: 'dsn; local.simulator',
          },
          at,
        ),
      ];
    }
    case 'complaint':
      return [
        send,
        delivery(mail, to, at),
        sesBusEvent(
          'Complaint',
          mail,
          {
            complainedRecipients: [{ emailAddress: to }],
            complaintFeedbackType: 'abuse',
            feedbackId: `local-${randomUUID()}`,
            userAgent: 'local-simulator',
            arrivalDate: at.toISOString(),
          },
          at,
        ),
      ];
    default:
      return [send, delivery(mail, to, at)];
  }
}

const delivery = (mail: LocalMail, to: string, at: Date) =>
  sesBusEvent(
    'Delivery',
    mail,
    {
      processingTimeMillis: 1,
      recipients: [to],
      smtpResponse: '250 2.6.0 Message received',
      reportingMTA: 'local.stageflow',
    },
    at,
  );

/**
 * Rewrites every http(s) link of an HTML body to the local click redirect, except the
 * unsubscribe URL (and links marked `ses:no-track`, as SES honours), and adds an open pixel
 * before `</body>`. Returns the new HTML and the original links by index.
 */
export function trackHtml(
  html: string,
  base: string,
  unsubscribeUrl: string | undefined,
): { html: string; links: string[] } {
  const links: string[] = [];
  const rewritten = html.replace(/<a\b[^>]*>/gi, (tag) => {
    if (/\bses:no-track\b/i.test(tag)) return tag;
    return tag.replace(/\bhref\s*=\s*(["'])(.*?)\1/i, (attr, quote: string, raw: string) => {
      const url = decodeEntities(raw);
      if (
        !/^https?:\/\//i.test(url) ||
        (unsubscribeUrl && url === unsubscribeUrl) ||
        url.includes('/v1/unsubscribe/')
      )
        return attr;
      links.push(url);
      return `href=${quote}${base}/t/c/__ID__/${links.length - 1}${quote}`;
    });
  });
  const pixel = `<img src="${base}/t/o/__ID__.gif" width="1" height="1" alt="" style="display:none">`;
  const withPixel = /<\/body>/i.test(rewritten)
    ? rewritten.replace(/<\/body>/i, `${pixel}</body>`)
    : `${rewritten}${pixel}`;
  return { html: withPixel, links };
}

/** An attribute value's text: the character references a template's escaping may have made. */
function decodeEntities(value: string): string {
  const named: Record<string, string> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>' };
  return value.replace(/&(#x[0-9a-f]+|#\d+|amp|quot|apos|lt|gt);/gi, (ref, body: string) => {
    if (body[0] !== '#') return named[body.toLowerCase()] ?? ref;
    const code =
      body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : ref;
  });
}
