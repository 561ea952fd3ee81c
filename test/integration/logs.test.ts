import { randomBytes } from 'node:crypto';
import { Analytics } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalStack } from '../../local/stack.js';

// Before any module creates the logger: every level, and flows on a compressed clock.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  process.env.STAGEFLOW_TIME_SCALE = '0.000002';
});

/**
 * Everything this process writes while the sources' journey runs through the local stack:
 * stdout and stderr (Powertools writes there), every console method, and the stack's own log
 * lines (API server, stream relay, bus, Step Functions).
 */
const lines: string[] = [];
const restore: (() => void)[] = [];

function capture() {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => {
      stream.write = write;
    });
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    const spy = vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    });
    restore.push(() => spy.mockRestore());
  }
}

let stack: LocalStack;

beforeAll(async () => {
  capture();
  const { startLocalStack } = await import('../../local/stack.js');
  const { freePort } = await import('../../local/dynamodb.js');
  const { dynamodbEndpoint, uniqueTable } = await import('../support/local.js');
  stack = await startLocalStack({
    dynamodbEndpoint: dynamodbEndpoint(),
    tableName: uniqueTable('logs'),
    port: await freePort(),
    sesPort: 0,
    log: (line) => lines.push(line),
  });
});
afterAll(async () => {
  await stack?.stop();
  for (const undo of restore.reverse()) undo();
});

const MINUTE = 60_000;

describe('Logs', () => {
  it('carry the messageId from the API through the stream to the flow, and no email or name', async () => {
    // Prepare: the sources' journey, as a shop sends it with @segment/analytics-node
    const { api } = await import('../support/local.js');
    const { eventually } = await import('../support/eventually.js');
    const tag = randomBytes(4).toString('hex');
    const userId = `user-${tag}`;
    const anonymousId = `anon-${tag}`;
    const email = `ada.${tag}@example.com`;
    const firstName = `Ada${tag}`;
    const lastName = `Lovelace${tag}`;
    const analytics = new Analytics({
      writeKey: stack.keys.ingest,
      host: stack.url,
      flushAt: 20,
      maxRetries: 0,
      httpRequestTimeout: 60_000,
    });
    const start = Date.now() - 3 * 3600_000;
    const at = (i: number) => new Date(start + i * MINUTE);
    const campaign = {
      source: 'instagram',
      medium: 'paid_social',
      name: 'spring_launch',
      content: 'reel-17',
    };
    analytics.track({ anonymousId, event: 'Ad Clicked', timestamp: at(0), context: { campaign } });
    analytics.track({
      anonymousId,
      event: 'Products Searched',
      properties: { query: 'trail' },
      timestamp: at(1),
    });
    analytics.track({
      anonymousId,
      event: 'Product Viewed',
      properties: { product_id: 'p-42' },
      timestamp: at(2),
    });
    analytics.identify({ userId, anonymousId, traits: { email, firstName, lastName }, timestamp: at(3) });
    analytics.track({ userId, event: 'Product Added', properties: { product_id: 'p-42' }, timestamp: at(4) });
    analytics.track({
      userId,
      event: 'Checkout Started',
      properties: { order_id: `o-${tag}` },
      timestamp: at(5),
    });
    analytics.track({
      userId,
      event: 'Order Completed',
      properties: { order_id: `o-${tag}`, total: 129, currency: 'EUR' },
      timestamp: at(6),
    });
    analytics.track({
      userId,
      event: 'Order Delivered',
      properties: { order_id: `o-${tag}` },
      timestamp: at(7),
    });
    analytics.track({
      userId,
      event: 'Product Reviewed',
      properties: { product_id: 'p-42', rating: 5, review_body: `Great, says ${firstName}` },
      timestamp: at(8),
    });
    analytics.track({
      userId,
      event: 'Product Shared',
      properties: { product_id: 'p-42' },
      timestamp: at(9),
    });

    // Act: send it, let the stage events reach the flows and the flows send their mail
    await analytics.closeAndFlush();
    const customer = await eventually(async () => {
      const res = await api(stack)('GET', `/v1/customers/${userId}`);
      expect(res.body.stage).toBe('refer');
      return res.body;
    });
    await eventually(async () => expect(stack.ses.mails.length).toBeGreaterThan(0), { timeoutMs: 30_000 });
    await stack.streamRelay.settled();
    await stack.bus.idle();
    await stack.stepFunctions.idle();
    // An erasure and a 404 write log lines too.
    await api(stack, stack.keys.admin)('GET', `/v1/customers/${email}`);
    await api(stack, stack.keys.admin)('DELETE', `/v1/customers/${userId}`);

    // Assess: nothing written holds the address or the name, in any case or encoding
    expect(customer.traits).toMatchObject({ email, firstName });
    const all = lines.join('\n');
    expect(lines.length).toBeGreaterThan(20);
    for (const secret of [email, email.split('@')[0], firstName, lastName, encodeURIComponent(email)]) {
      const hits = lines.filter((l) => l.toLowerCase().includes(secret.toLowerCase()));
      expect(hits, `log lines holding ${secret}`).toEqual([]);
    }

    // Assess: structured lines carry one messageId from ingest through the relay to the flow
    const json = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.trim().startsWith('{'))
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return null;
        }
      })
      .filter((l): l is Record<string, unknown> => l !== null && l.service === 'stageflow');
    const ids = (message: string) =>
      new Set(json.filter((l) => l.message === message).map((l) => l.correlationId));
    const ingested = ids('touchpoint changed the stage');
    const published = ids('event published');
    const flows = new Set([...ids('flow started'), ...ids('campaign runs planned')]);
    expect(ingested.size).toBeGreaterThanOrEqual(5);
    expect(published.size).toBeGreaterThanOrEqual(5);
    // Every published stage event carries the messageId of the touchpoint that caused it...
    for (const id of published) expect(ingested.has(id), `published ${id}`).toBe(true);
    // ...and the flows it starts log under that id too.
    expect([...published].filter((id) => flows.has(id)).length).toBeGreaterThanOrEqual(1);
    expect(all).not.toContain('"traits":{');
  });
});
