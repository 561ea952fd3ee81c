import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import sesLocal from 'aws-ses-v2-local';
import { acceptedEvents, type LocalMail, type SesBusEvent, sesBusEvent, trackHtml } from './ses-events.js';

type StartSes = (config?: { host?: string; port?: number }) => Promise<Server>;

/** A mail as aws-ses-v2-local captured it (its `/store` format). */
export interface CapturedMail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: { name: string; value: string }[];
  at: number;
}

export interface LocalSes {
  /** The SES v2 endpoint (SES_ENDPOINT) and the web inbox. */
  endpoint: string;
  /** Every captured mail and template as JSON. */
  storeUrl: string;
  /** Captured mails, optionally only those to one address. */
  mails(to?: string): Promise<CapturedMail[]>;
  stop(): Promise<void>;
}

export interface LocalSesOptions {
  host: string;
  port: number;
  /**
   * Publishes an SES event to the bus SES publishes to (deployed: the default bus). Unset: the
   * local SES publishes nothing.
   */
  publish?: (event: SesBusEvent) => void;
  /** Configuration sets with open and click tracking (their event destination has Open and Click). */
  trackedConfigurationSets?: readonly string[];
}

const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

interface SendEmailBody {
  ConfigurationSetName?: string;
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[] };
  EmailTags?: { Name: string; Value: string }[];
  Content?: { Template?: { Headers?: { Name: string; Value: string }[] } };
}

/**
 * Runs aws-ses-v2-local in this process (its server function, not the CLI) and makes it behave
 * like SES with a configuration set publishing to EventBridge: for every accepted mail it
 * publishes Send and Delivery (or, for the mailbox simulator's bounce@, complaint@ and
 * suppressionlist@ addresses, Bounce or Complaint); with a tracked configuration set it
 * rewrites the HTML part's links to `/t/c/<id>/<n>` and adds an open pixel `/t/o/<id>.gif`,
 * which publish Click and Open when followed or loaded. Port 0 picks a free port; the mail
 * store is per process, the tracking state per instance (lost on restart, like the mail).
 */
export async function startLocalSes(options: LocalSesOptions): Promise<LocalSes> {
  // A CommonJS module with `exports.default`: under Node's ESM interop the function is `.default`.
  const mod = sesLocal as unknown as StartSes | { default: StartSes };
  const start: StartSes = typeof mod === 'function' ? mod : mod.default;
  const server: Server = await start({ host: options.host, port: options.port });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const endpoint = `http://${options.host}:${port}`;
  const store = createRequire(import.meta.url)('aws-ses-v2-local/dist/store.js') as {
    getStoreReadonly(): { emails: CapturedMail[] };
  };
  const tracked = new Set(options.trackedConfigurationSets ?? []);
  const sent = new Map<string, LocalMail>();
  const publish = (events: SesBusEvent[]) => {
    for (const e of events) options.publish?.(e);
  };

  const accepted = (messageId: string, body: SendEmailBody) => {
    const captured = store.getStoreReadonly().emails.find((e) => e.messageId === messageId);
    if (!captured) return;
    const headers = body.Content?.Template?.Headers ?? [];
    const unsubscribe = headers
      .find((h) => h.Name.toLowerCase() === 'list-unsubscribe')
      ?.Value.replace(/^<|>$/g, '');
    const mail: LocalMail = {
      messageId,
      from: body.FromEmailAddress ?? captured.from,
      to: body.Destination?.ToAddresses ?? captured.destination.to,
      subject: captured.subject,
      tags: Object.fromEntries((body.EmailTags ?? []).map((t) => [t.Name, t.Value])),
      configurationSet: body.ConfigurationSetName,
      tracked: body.ConfigurationSetName !== undefined && tracked.has(body.ConfigurationSetName),
      links: [],
      sentAt: new Date().toISOString(),
    };
    if (mail.tracked && captured.body.html) {
      const result = trackHtml(captured.body.html, endpoint, unsubscribe);
      captured.body.html = result.html.replaceAll('__ID__', encodeURIComponent(messageId));
      mail.links = result.links;
    }
    sent.set(messageId, mail);
    // SES publishes only for mail sent with a configuration set that has an event destination.
    if (mail.configurationSet) publish(acceptedEvents(mail));
  };

  const track = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? '/', endpoint);
    const open = /^\/t\/o\/([^/]+)\.gif$/.exec(url.pathname);
    const click = /^\/t\/c\/([^/]+)\/(\d+)$/.exec(url.pathname);
    if (req.method !== 'GET' || (!open && !click)) return false;
    const mail = sent.get(decodeURIComponent((open ?? click)![1]));
    const seen = {
      ipAddress: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
      userAgent: req.headers['user-agent'] ?? '',
    };
    if (open) {
      if (mail?.tracked) publish([sesBusEvent('Open', mail, seen)]);
      res.writeHead(200, { 'content-type': 'image/gif', 'cache-control': 'no-store' });
      res.end(PIXEL);
      return true;
    }
    const link = mail?.links[Number(click![2])];
    if (!mail || link === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('unknown tracking link');
      return true;
    }
    publish([sesBusEvent('Click', mail, { ...seen, link, linkTags: {} })]);
    res.writeHead(302, { location: link, 'cache-control': 'no-store' });
    res.end();
    return true;
  };

  // In front of aws-ses-v2-local's own request handler: tracking routes, and SendEmail watched.
  const app = server.listeners('request')[0] as RequestListener;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (track(req, res)) return;
    if (req.method === 'POST' && req.url?.split('?')[0] === '/v2/email/outbound-emails') {
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      res.end = ((...args: unknown[]) => {
        if (res.statusCode === 200 && args[0] !== undefined && typeof args[0] !== 'function') {
          try {
            const { MessageId } = JSON.parse(String(args[0])) as { MessageId?: string };
            // Express parsed the request body onto req.body.
            if (MessageId)
              accepted(MessageId, (req as IncomingMessage & { body?: SendEmailBody }).body ?? {});
          } catch {
            // Not the JSON answer of an accepted mail: nothing to publish.
          }
        }
        return end(...args);
      }) as ServerResponse['end'];
    }
    app(req, res);
  });

  return {
    endpoint,
    storeUrl: `${endpoint}/store`,
    mails: async (to) => {
      const captured = (await (await fetch(`${endpoint}/store`)).json()) as { emails: CapturedMail[] };
      const wanted = to?.toLowerCase();
      return wanted
        ? captured.emails.filter((e) => e.destination.to.some((a) => a.toLowerCase().includes(wanted)))
        : captured.emails;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
