import type { EngagementEvent, EngagementKind } from './ses-event.js';

/** A message's headline, by precedence: the first that applies of this list. */
export const HEADLINE_PRECEDENCE = [
  'complained',
  'bounced',
  'rejected',
  'clicked',
  'opened',
  'delivered',
  'sent',
] as const;
export type Headline = (typeof HEADLINE_PRECEDENCE)[number];

/**
 * What happened to a sent message after SES took it, kept apart from the send claim (`status`
 * of the message item). Every time is the first one seen; counts count distinct events.
 */
export interface Engagement {
  status: Headline;
  sentAt?: string;
  deliveredAt?: string;
  /** First human open; machine opens (privacy proxies) are kept apart. */
  openedAt?: string;
  machineOpenedAt?: string;
  clickedAt?: string;
  bouncedAt?: string;
  bounceType?: string;
  complainedAt?: string;
  rejectedAt?: string;
  renderingFailedAt?: string;
  delayedAt?: string;
  unsubscribedAt?: string;
  opens: number;
  machineOpens: number;
  clicks: number;
  /** Ids of the events applied: a redelivered event changes nothing. */
  events: string[];
  /** Optimistic lock of the message item's engagement. */
  version: number;
}

/** Campaign metric counters (docs/messaging.md, the i8 counter contract) an event adds to. */
export type EngagementCounter =
  | 'delivered'
  | 'bounced'
  | 'complained'
  | 'rejected'
  | 'openedUnique'
  | 'openedMachine'
  | 'clickedUnique'
  | 'clickedTotal'
  | 'unsubscribed';

export interface Applied {
  engagement: Engagement;
  counters: Partial<Record<EngagementCounter, number>>;
}

type TimeField = Exclude<
  keyof Engagement,
  'status' | 'opens' | 'machineOpens' | 'clicks' | 'events' | 'version' | 'bounceType'
>;

/** The first time an event kind sets, and the counter its first occurrence adds to. */
const FIRST: Record<EngagementKind | 'unsubscribed', { field: TimeField; counter?: EngagementCounter }> = {
  sent: { field: 'sentAt' },
  delivered: { field: 'deliveredAt', counter: 'delivered' },
  opened: { field: 'openedAt', counter: 'openedUnique' },
  clicked: { field: 'clickedAt', counter: 'clickedUnique' },
  bounced: { field: 'bouncedAt', counter: 'bounced' },
  complained: { field: 'complainedAt', counter: 'complained' },
  rejected: { field: 'rejectedAt', counter: 'rejected' },
  renderingFailed: { field: 'renderingFailedAt' },
  delayed: { field: 'delayedAt' },
  unsubscribed: { field: 'unsubscribedAt', counter: 'unsubscribed' },
};

export const emptyEngagement = (): Engagement => ({
  status: 'sent',
  opens: 0,
  machineOpens: 0,
  clicks: 0,
  events: [],
  version: 0,
});

/** The headline of an engagement: a pure function of which first times are set. */
export function headlineOf(e: Omit<Engagement, 'status'>): Headline {
  if (e.complainedAt) return 'complained';
  if (e.bouncedAt) return 'bounced';
  if (e.rejectedAt) return 'rejected';
  if (e.clickedAt) return 'clicked';
  if (e.openedAt) return 'opened';
  if (e.deliveredAt) return 'delivered';
  return 'sent';
}

const earlier = (a: string | undefined, b: string): string => (a === undefined || b < a ? b : a);

/**
 * Applies one event. Null when it was applied before (same event id). Order-independent: first
 * times are minimums, flags only ever get set, the headline is derived from them, and a counter
 * moves exactly when its flag is first set, so any order and any repetition of the same events
 * ends in the same state and the same counter totals.
 */
export function applyEvent(
  current: Engagement | undefined,
  event: Pick<EngagementEvent, 'eventId' | 'at' | 'machine' | 'bounceType'> & {
    kind: EngagementKind | 'unsubscribed';
  },
): Applied | null {
  const before = current ?? emptyEngagement();
  if (before.events.includes(event.eventId)) return null;
  const next: Engagement = {
    ...before,
    events: [...before.events, event.eventId],
    version: before.version + 1,
  };
  const counters: Applied['counters'] = {};
  const add = (c: EngagementCounter) => {
    counters[c] = (counters[c] ?? 0) + 1;
  };
  if (event.kind === 'opened' && event.machine) {
    next.machineOpens += 1;
    if (!before.machineOpenedAt) add('openedMachine');
    next.machineOpenedAt = earlier(before.machineOpenedAt, event.at);
  } else {
    const first = FIRST[event.kind];
    if (!before[first.field] && first.counter) add(first.counter);
    next[first.field] = earlier(before[first.field], event.at);
    if (event.kind === 'opened') next.opens += 1;
    if (event.kind === 'clicked') {
      next.clicks += 1;
      add('clickedTotal');
    }
    if (event.kind === 'bounced' && event.bounceType) {
      // A permanent bounce is the stronger statement, whichever came first.
      next.bounceType = before.bounceType === 'Permanent' ? 'Permanent' : event.bounceType;
    }
  }
  next.status = headlineOf(next);
  return { engagement: next, counters };
}
