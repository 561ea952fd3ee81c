import type { Server } from 'node:http';
import sesLocal from 'aws-ses-v2-local';

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

/**
 * Runs aws-ses-v2-local in this process (its server function, not the CLI). Port 0 picks a
 * free port; its store is per process, so every stack in one process sees the same mails.
 */
export async function startLocalSes(options: { host: string; port: number }): Promise<LocalSes> {
  // A CommonJS module with `exports.default`: under Node's ESM interop the function is `.default`.
  const mod = sesLocal as unknown as StartSes | { default: StartSes };
  const start: StartSes = typeof mod === 'function' ? mod : mod.default;
  const server: Server = await start({ host: options.host, port: options.port });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const endpoint = `http://${options.host}:${port}`;
  return {
    endpoint,
    storeUrl: `${endpoint}/store`,
    mails: async (to) => {
      const store = (await (await fetch(`${endpoint}/store`)).json()) as { emails: CapturedMail[] };
      const wanted = to?.toLowerCase();
      return wanted
        ? store.emails.filter((e) => e.destination.to.some((a) => a.toLowerCase().includes(wanted)))
        : store.emails;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
