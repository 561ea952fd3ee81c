import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { EventEnvelope } from '../events/contracts.js';
import { EVENT_SOURCE } from '../events/index.js';
import { assertValidPattern, type EventPattern, matchesPattern } from '../lib/events/pattern.js';
import { freePort } from './dynamodb.js';
import {
  assertPutEventsRequest,
  type BusFault,
  type EntryResult,
  errorBody,
  eventTime,
  FAULTS,
  type PutEventsEntry,
  parseEntry,
  reply,
} from './put-events.js';

export type { BusFault };

/** What a rule delivers an event to: a flow starter, a test's collector. Throw to have it retried. */
export type RuleTarget = (event: EventEnvelope) => unknown;

export interface RuleOptions {
  /** Attempts per event before it goes to the rule's dead letters (EventBridge: 185 over 24 h). */
  maxAttempts?: number;
  /** Delay before the first retry; doubled for each further one. */
  retryDelayMs?: number;
}

/** An event a rule's target did not take, like a message in the target's SQS dead-letter queue. */
export interface DeadLetter {
  rule: string;
  event: EventEnvelope;
  attempts: number;
  error: string;
}

/** A registered rule, as `addRule` returns it. */
export interface LocalRule {
  readonly name: string;
  readonly pattern: EventPattern;
  /** Ids of the events its target took, in the order it took them. */
  readonly delivered: string[];
  readonly deadLetters: DeadLetter[];
  remove(): void;
}

export interface LocalEventBusOptions {
  /** The bus name PutEvents must address (by name or ARN); CDK deploys `stageflow-<stage>`. */
  name?: string;
  port?: number;
  account?: string;
  region?: string;
  /** Defaults for every rule's delivery retries. */
  delivery?: RuleOptions;
  /** The archive keeps events matching this, as the deployed archive does. */
  archivePattern?: EventPattern;
  /** Events kept in `events`, `archive` and each rule's `delivered` (default 10,000, the newest). */
  keepEvents?: number;
  log?: (line: string) => void;
}

interface Rule extends LocalRule {
  target: RuleTarget;
  options: Required<RuleOptions>;
  removed: boolean;
}

/**
 * A local EventBridge bus. It speaks PutEvents over HTTP (AWS JSON 1.1, `X-Amz-Target:
 * AWSEvents.PutEvents`), so the relay's real EventBridge client works with only its endpoint
 * changed. Accepted events are kept in `events` and in an archive that can be replayed; rules
 * registered with `addRule` (patterns as deployed, e.g. flowRulePattern) receive matching
 * events asynchronously, with retries and a dead-letter list per rule. Faults can be injected
 * to show that nothing is lost when the bus fails.
 */
export class LocalEventBus {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly arn: string;
  endpoint = '';
  /** The accepted events, oldest first: the newest `keepEvents` of them. */
  readonly events: EventEnvelope[] = [];
  /** The events the archive kept (archivePattern), for `replay`. */
  readonly archive: EventEnvelope[] = [];
  readonly stats = { requests: 0, failedRequests: 0, rejectedEntries: 0, accepted: 0 };

  private readonly rules = new Map<string, Rule>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly deliveryDefaults: Required<RuleOptions>;
  private readonly archivePattern: EventPattern;
  private failRequests = 0;
  private failing: BusFault | null = null;
  private nextFault: BusFault = 'internal';
  private rejectEntries = 0;
  private server?: Server;

  constructor(private readonly options: LocalEventBusOptions = {}) {
    this.name = options.name ?? 'stageflow-local';
    this.account = options.account ?? '000000000000';
    this.region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
    this.arn = `arn:aws:events:${this.region}:${this.account}:event-bus/${this.name}`;
    this.deliveryDefaults = { maxAttempts: 3, retryDelayMs: 25, ...options.delivery };
    this.archivePattern = options.archivePattern ?? { source: [EVENT_SOURCE] };
    assertValidPattern(this.archivePattern);
  }

  /** Listens on 127.0.0.1 (a free port unless one is given). */
  async start(port = this.options.port): Promise<this> {
    this.server = createServer((req, res) => {
      this.serve(req, res).catch((error: Error) =>
        reply(res, 500, errorBody('InternalException', error.message)),
      );
    });
    const listenPort = port ?? (await freePort());
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(listenPort, '127.0.0.1', resolve);
    });
    this.endpoint = `http://127.0.0.1:${listenPort}`;
    return this;
  }

  /**
   * Registers (or replaces, as PutRule does) a rule. The pattern is checked now, so syntax the
   * local matcher lacks fails here. The target gets each matching event as EventBridge sends
   * it; a throw is retried with backoff, and after `maxAttempts` the event is dead-lettered.
   */
  addRule(name: string, pattern: EventPattern, target: RuleTarget, options: RuleOptions = {}): LocalRule {
    assertValidPattern(pattern);
    this.removeRule(name);
    const rule: Rule = {
      name,
      pattern,
      target,
      options: { ...this.deliveryDefaults, ...options },
      delivered: [],
      deadLetters: [],
      removed: false,
      remove: () => this.removeRule(name),
    };
    this.rules.set(name, rule);
    return rule;
  }

  removeRule(name: string): void {
    const rule = this.rules.get(name);
    if (rule) rule.removed = true;
    this.rules.delete(name);
  }

  rule(name: string): LocalRule | undefined {
    return this.rules.get(name);
  }

  /** Every rule's dead letters. */
  get deadLetters(): DeadLetter[] {
    return [...this.rules.values()].flatMap((r) => r.deadLetters);
  }

  /** The next `count` PutEvents calls fail as a whole (the SDK retries them itself). */
  failNext(count: number, fault: BusFault = 'internal'): void {
    this.failRequests = count;
    this.nextFault = fault;
  }

  /** Every PutEvents call fails until `setFailing(false)`. */
  setFailing(on: boolean, fault: BusFault = 'internal'): void {
    this.failing = on ? fault : null;
  }

  /** The next `count` entries are rejected one by one (ErrorCode InternalFailure) in calls that succeed. */
  rejectNextEntries(count: number): void {
    this.rejectEntries = count;
  }

  /** PutEvents in process, for local code without an SDK client; throws as the HTTP call would fail. */
  put(entries: PutEventsEntry[]): { FailedEntryCount: number; Entries: EntryResult[] } {
    const fault = this.takeFault();
    if (fault) throw Object.assign(new Error(FAULTS[fault].message), { name: FAULTS[fault].type });
    return this.putEvents(entries);
  }

  /** Delivers archived events again to the rules that match them now, as an EventBridge replay does. */
  replay(filter: { from?: Date; to?: Date; pattern?: EventPattern } = {}): number {
    const events = this.archive.filter((e) => {
      const time = Date.parse(e.time);
      return (
        (!filter.from || time >= filter.from.getTime()) &&
        (!filter.to || time <= filter.to.getTime()) &&
        (!filter.pattern || matchesPattern(filter.pattern, e))
      );
    });
    for (const event of events) this.route({ ...event, 'replay-name': 'local' } as EventEnvelope);
    return events.length;
  }

  /** Resolves once no delivery is in flight (retries included). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async stop(): Promise<void> {
    for (const name of [...this.rules.keys()]) this.removeRule(name);
    if (!this.server) return;
    await new Promise<void>((resolve) => {
      this.server!.close(() => resolve());
      this.server!.closeAllConnections();
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    if (req.method !== 'POST' || target !== 'AWSEvents.PutEvents') {
      reply(
        res,
        400,
        errorBody('UnknownOperationException', `The local bus implements PutEvents only, not ${target}`),
      );
      return;
    }
    this.stats.requests++;
    const fault = this.takeFault();
    if (fault) {
      this.stats.failedRequests++;
      reply(res, FAULTS[fault].status, errorBody(FAULTS[fault].type, FAULTS[fault].message));
      return;
    }
    let request: { Entries?: PutEventsEntry[] };
    try {
      request = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      reply(res, 400, errorBody('SerializationException', 'The request body is not JSON'));
      return;
    }
    try {
      reply(res, 200, this.putEvents(request.Entries));
    } catch (error) {
      reply(res, 400, errorBody((error as Error).name, (error as Error).message));
    }
  }

  private takeFault(): BusFault | null {
    if (this.failing) return this.failing;
    if (this.failRequests > 0) {
      this.failRequests--;
      return this.nextFault;
    }
    return null;
  }

  private putEvents(entries: PutEventsEntry[] | undefined): {
    FailedEntryCount: number;
    Entries: EntryResult[];
  } {
    assertPutEventsRequest(entries);
    const results = entries.map((entry) => this.accept(entry));
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  private accept(entry: PutEventsEntry): EntryResult {
    const rejected = (ErrorCode: string, ErrorMessage: string) => {
      this.stats.rejectedEntries++;
      return { ErrorCode, ErrorMessage };
    };
    const parsed = parseEntry(entry, this);
    if ('ErrorCode' in parsed) return rejected(parsed.ErrorCode, parsed.ErrorMessage);
    if (this.rejectEntries > 0) {
      this.rejectEntries--;
      return rejected('InternalFailure', 'Injected fault: entry not accepted');
    }
    const event: EventEnvelope = {
      version: '0',
      id: randomUUID(),
      'detail-type': parsed.detailType,
      source: parsed.source,
      account: this.account,
      time: eventTime(entry.Time),
      region: this.region,
      resources: entry.Resources ?? [],
      detail: parsed.detail,
    };
    this.keep(this.events, event);
    this.stats.accepted++;
    if (matchesPattern(this.archivePattern, event)) this.keep(this.archive, event);
    this.options.log?.(`event ${event['detail-type']} ${event.id}`);
    this.route(event);
    return { EventId: event.id };
  }

  /** Appends, dropping the oldest beyond keepEvents: a bus left running must not fill memory. */
  private keep<T>(list: T[], item: T): void {
    list.push(item);
    const over = list.length - (this.options.keepEvents ?? 10_000);
    if (over > 0) list.splice(0, over);
  }

  private route(event: EventEnvelope): void {
    for (const rule of this.rules.values()) {
      if (!matchesPattern(rule.pattern, event)) continue;
      // After the PutEvents answer, as in AWS: a slow target never holds up the producer.
      const delivery = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => this.deliver(rule, event))
        .finally(() => this.inFlight.delete(delivery));
      this.inFlight.add(delivery);
    }
  }

  private async deliver(rule: Rule, event: EventEnvelope): Promise<void> {
    let error: unknown;
    for (let attempt = 1; attempt <= rule.options.maxAttempts; attempt++) {
      if (rule.removed) return;
      try {
        await rule.target(structuredClone(event));
        this.keep(rule.delivered, event.id);
        return;
      } catch (e) {
        error = e;
        if (attempt < rule.options.maxAttempts) {
          await new Promise((r) => setTimeout(r, rule.options.retryDelayMs * 2 ** (attempt - 1)));
        }
      }
    }
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    rule.deadLetters.push({ rule: rule.name, event, attempts: rule.options.maxAttempts, error: message });
    this.options.log?.(
      `rule ${rule.name}: event ${event.id} dead-lettered after ${rule.options.maxAttempts} attempts: ${message}`,
    );
  }
}

/** Starts a local bus on a free port of 127.0.0.1. */
export function startLocalEventBus(options: LocalEventBusOptions = {}): Promise<LocalEventBus> {
  return new LocalEventBus(options).start();
}
