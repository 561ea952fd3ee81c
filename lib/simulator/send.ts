import { defaultModel, replay } from '../journey/index.js';
import { parseTouchpoint, toEngineTouchpoint } from '../touchpoints/index.js';
import {
  historyInTimeOrder,
  type SegmentCall,
  type SimulatedCustomer,
  type SimulationOptions,
  simulateJourneys,
} from './journeys.js';

/**
 * Sends simulated journeys to a running Stageflow and says what it sent. History goes through
 * `POST /v1/import` in batches, oldest first. The live mode (journeys at the current time,
 * reacting to the flows' mail) has its own sender: lib/simulator/live.ts.
 */

export type SimulationMode = 'history';

export interface SendOptions extends SimulationOptions {
  url: string;
  key: string;
  mode?: SimulationMode;
  /** Calls per request (at most 500, Stageflow's batch limit). */
  batchSize?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Attempts per request on 5xx and network errors (429 waits as told and does not count). */
  attempts?: number;
  progress?: (p: Progress) => void;
  /** For tests: the wait between retries. */
  sleep?: (ms: number) => Promise<void>;
}

export interface Progress {
  sent: number;
  total: number;
  requests: number;
  retries: number;
}

/** What a run sent and what Stageflow answered, and what the stored journeys must add up to. */
export interface SimulationSummary {
  seed: number;
  days: number;
  end: string;
  url: string;
  customers: number;
  users: number;
  anonymous: number;
  touchpoints: number;
  requests: number;
  retries: number;
  accepted: number;
  duplicate: number;
  rejected: number;
  byEvent: Record<string, number>;
  byChannel: Record<string, number>;
  byLocale: Record<string, number>;
  orders: number;
  refunds: number;
  cancellations: number;
  reviews: number;
  shares: number;
  /** Stages the customers must be in: the journey model folded over exactly what was sent. */
  stages: Record<string, number>;
  /** Per customer: the id it is stored under, the touchpoints sent for it, its expected stage. */
  perCustomer: { customerId: string; touchpoints: number; stage: string | null }[];
}

/** A failure the CLI prints as it is: a refused key, a bad request, a stack that is down. */
export class SimulationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulationError';
  }
}

const MAX_BATCH = 500;

/** Generates the journeys and sends them; resolves with the summary. */
export async function simulate(options: SendOptions): Promise<SimulationSummary> {
  if ((options.mode ?? 'history') !== 'history') {
    throw new SimulationError(`mode ${options.mode} is not built yet`);
  }
  const customers = simulateJourneys(options);
  const calls = historyInTimeOrder(customers);
  const batchSize = Math.min(options.batchSize ?? 200, MAX_BATCH);
  const batches: SegmentCall[][] = [];
  for (let i = 0; i < calls.length; i += batchSize) batches.push(calls.slice(i, i + batchSize));

  const counts = { accepted: 0, duplicate: 0, rejected: 0, requests: 0, retries: 0, sent: 0 };
  const rejections: string[] = [];
  const post = poster(options, counts);
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++];
      const body = await post(batch);
      counts.accepted += body.accepted;
      counts.duplicate += body.duplicate;
      counts.rejected += body.rejected;
      for (const r of body.results ?? []) {
        if (r.status === 'rejected' && rejections.length < 5)
          rejections.push(`${r.messageId}: ${r.error?.detail}`);
      }
      counts.sent += batch.length;
      options.progress?.({
        sent: counts.sent,
        total: calls.length,
        requests: counts.requests,
        retries: counts.retries,
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  if (counts.rejected > 0) {
    throw new SimulationError(
      `Stageflow rejected ${counts.rejected} of ${calls.length} touchpoints, e.g. ${rejections.join('; ')}`,
    );
  }
  return summarise(options, customers, calls, counts);
}

interface BatchAnswer {
  accepted: number;
  duplicate: number;
  rejected: number;
  results?: { messageId: string | null; status: string; error?: { detail?: string } }[];
}

/** POSTs one batch: waits out 429s, retries 5xx and network errors, fails clearly on other 4xx. */
function poster(options: SendOptions, counts: { requests: number; retries: number }) {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const attempts = options.attempts ?? 6;
  const endpoint = `${options.url.replace(/\/+$/, '')}/v1/import`;
  return async (batch: SegmentCall[]): Promise<BatchAnswer> => {
    let failures = 0;
    for (;;) {
      counts.requests++;
      let res: Response;
      try {
        res = await fetch(endpoint, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ batch }),
        });
      } catch (error) {
        if (++failures >= attempts) {
          throw new SimulationError(
            `cannot reach ${endpoint} (${(error as Error).message}) after ${attempts} attempts; is the stack running?`,
          );
        }
        counts.retries++;
        await sleep(backoffMs(failures));
        continue;
      }
      const text = await res.text();
      if (res.ok) return JSON.parse(text) as BatchAnswer;
      const detail = problemDetail(text);
      if (res.status === 429) {
        counts.retries++;
        await sleep(Math.max(1, Number(res.headers.get('retry-after') ?? 1)) * 1000);
        continue;
      }
      if (res.status >= 500) {
        if (++failures >= attempts) {
          throw new SimulationError(
            `${endpoint} answered ${res.status} ${attempts} times in a row: ${detail}`,
          );
        }
        counts.retries++;
        await sleep(backoffMs(failures));
        continue;
      }
      const hint =
        res.status === 401
          ? ' (check --key: an ingest or admin key of this stack)'
          : res.status === 403
            ? ' (this key may not import)'
            : '';
      throw new SimulationError(`${endpoint} refused the batch with ${res.status}${hint}: ${detail}`);
    }
  };
}

const backoffMs = (failure: number) => Math.min(8000, 250 * 2 ** failure);

function problemDetail(text: string): string {
  try {
    const body = JSON.parse(text) as { title?: string; detail?: string };
    return [body.title, body.detail].filter(Boolean).join(': ') || text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}

const bump = (record: Record<string, number>, key: string, n = 1) => {
  record[key] = (record[key] ?? 0) + n;
};

function summarise(
  options: SendOptions,
  customers: SimulatedCustomer[],
  calls: SegmentCall[],
  counts: { accepted: number; duplicate: number; rejected: number; requests: number; retries: number },
): SimulationSummary {
  const byEvent: Record<string, number> = {};
  for (const call of calls) bump(byEvent, call.type === 'track' ? call.event! : call.type);
  const byChannel: Record<string, number> = {};
  const byLocale: Record<string, number> = {};
  const stages: Record<string, number> = {};
  const receivedAt = options.end;
  const perCustomer = customers.map((c) => {
    bump(byChannel, c.channel);
    bump(byLocale, c.locale);
    const touchpoints = c.calls.map((call) => {
      const parsed = parseTouchpoint(call, call.type, { receivedAt });
      if (!parsed.ok) throw new SimulationError(`the simulator built an invalid call ${call.messageId}`);
      return toEngineTouchpoint(parsed.touchpoint);
    });
    const { stage } = replay(defaultModel, touchpoints).state;
    bump(stages, stage ?? 'none');
    return { customerId: c.customerId, touchpoints: c.calls.length, stage };
  });
  const users = customers.filter((c) => c.userId !== null).length;
  return {
    seed: options.seed,
    days: options.days,
    end: options.end.toISOString(),
    url: options.url,
    customers: customers.length,
    users,
    anonymous: customers.length - users,
    touchpoints: calls.length,
    requests: counts.requests,
    retries: counts.retries,
    accepted: counts.accepted,
    duplicate: counts.duplicate,
    rejected: counts.rejected,
    byEvent,
    byChannel,
    byLocale,
    orders: byEvent['Order Completed'] ?? 0,
    refunds: byEvent['Order Refunded'] ?? 0,
    cancellations: byEvent['Order Cancelled'] ?? 0,
    reviews: byEvent['Product Reviewed'] ?? 0,
    shares: byEvent['Product Shared'] ?? 0,
    stages,
    perCustomer,
  };
}
