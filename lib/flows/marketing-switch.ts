import * as z from 'zod';

/**
 * The marketing switch. When SES reputation suffers (the bounce-rate or complaint-rate alarm
 * is in ALARM), marketing mail pauses by itself; transactional mail goes on. It resumes once
 * both alarms are OK again. The state is one item, `SETTINGS`/`MARKETING`:
 * `{paused, reason, at, alarms}`; the flows' send step reads it before every marketing send.
 */

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface MarketingSwitchState {
  paused: boolean;
  /** Why it is paused or resumed, for people reading the item and the message log. */
  reason: string;
  /** When `paused` last changed (or the item was first written). */
  at: string;
  /** The last state seen of each alarm that drives the switch, by alarm name. */
  alarms: Record<string, { state: AlarmState; at: string }>;
  /**
   * A pause set by hand (PATCH /v1/settings), independent of the alarms: marketing is paused
   * while either holds. Resuming by hand never overrides an alarm.
   */
  /** A pause or resume by hand: why, when, and who (the key's name or the user; absent before it was recorded). */
  manual?: { paused: boolean; reason: string; at: string; by?: string };
}

/** Whether marketing mail is paused by either an alarm or by hand. */
export const marketingPaused = (state: MarketingSwitchState | null | undefined): boolean =>
  state?.paused === true || state?.manual?.paused === true;

/** One alarm state change, as CloudWatch reports it to EventBridge. */
export interface AlarmChange {
  alarmName: string;
  state: AlarmState;
  /** When the alarm entered `state` (`detail.state.timestamp`). */
  at: string;
  reason?: string;
}

/** The EventBridge detail-type of a CloudWatch alarm state change (default bus, source aws.cloudwatch). */
export const ALARM_STATE_CHANGE = 'CloudWatch Alarm State Change';

/** The rule pattern that routes the given alarms' state changes to the marketing switch. */
export function alarmStateChangePattern(alarmArns: string[]): Record<string, unknown> {
  return { source: ['aws.cloudwatch'], 'detail-type': [ALARM_STATE_CHANGE], resources: alarmArns };
}

const AlarmStateChangeEvent = z.looseObject({
  source: z.literal('aws.cloudwatch'),
  'detail-type': z.literal(ALARM_STATE_CHANGE),
  time: z.string().optional(),
  detail: z.looseObject({
    alarmName: z.string().min(1),
    state: z.looseObject({
      value: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']),
      reason: z.string().optional(),
      timestamp: z.string().optional(),
    }),
  }),
});

/** The alarm change an EventBridge event carries, or null if it is not an alarm state change. */
export function alarmChangeOf(event: unknown): AlarmChange | null {
  const parsed = AlarmStateChangeEvent.safeParse(event);
  if (!parsed.success) return null;
  const { detail, time } = parsed.data;
  return {
    alarmName: detail.alarmName,
    state: detail.state.value,
    at: detail.state.timestamp ?? time ?? new Date().toISOString(),
    reason: detail.state.reason,
  };
}

const NOT_PAUSED: MarketingSwitchState = { paused: false, reason: 'never paused', at: '', alarms: {} };

/**
 * The switch after one alarm change: paused as soon as any alarm is in ALARM; resumed only
 * when every alarm it knows is OK (INSUFFICIENT_DATA neither pauses nor resumes). A change
 * older than the one already recorded for that alarm is ignored: EventBridge may deliver
 * out of order, and a retry may deliver twice.
 */
export function nextSwitchState(
  current: MarketingSwitchState | null,
  change: AlarmChange,
  now: Date,
): MarketingSwitchState {
  const state = current ?? NOT_PAUSED;
  const known = state.alarms[change.alarmName];
  if (known && Date.parse(known.at) > Date.parse(change.at)) return state;
  const alarms = { ...state.alarms, [change.alarmName]: { state: change.state, at: change.at } };
  const inAlarm = Object.keys(alarms)
    .filter((name) => alarms[name].state === 'ALARM')
    .sort();
  const allOk = Object.values(alarms).every((a) => a.state === 'OK');
  const paused = inAlarm.length > 0 ? true : allOk ? false : state.paused;
  const reason = !paused
    ? state.paused
      ? 'SES reputation alarms OK again'
      : state.reason
    : inAlarm.length > 0
      ? `SES reputation alarm in ALARM: ${inAlarm.join(', ')}`
      : 'SES reputation alarms not all OK yet';
  // `at` moves only when the switch flips.
  const at = paused !== state.paused || !state.at ? now.toISOString() : state.at;
  return { paused, reason, at, alarms, ...(state.manual ? { manual: state.manual } : {}) };
}

/** Applies a manual pause or resume with optimistic locking; returns the state written. */
export async function setManualPause(
  store: MarketingSwitchStore,
  manual: { paused: boolean; reason: string; by?: string },
  clock: () => Date = () => new Date(),
): Promise<MarketingSwitchState> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const current = await store.read();
    const state = current?.state ?? NOT_PAUSED;
    const next: MarketingSwitchState = {
      ...state,
      at: state.at || clock().toISOString(),
      manual: { ...manual, at: clock().toISOString() },
    };
    if (await store.write(next, current?.version ?? 0)) return next;
    await new Promise((r) => setTimeout(r, Math.random() * 50));
  }
  throw new Error('the marketing switch stayed contended');
}

/** Port: where the switch lives; `write` fails (false) when someone else wrote meanwhile. */
export interface MarketingSwitchStore {
  read(): Promise<{ state: MarketingSwitchState; version: number } | null>;
  write(state: MarketingSwitchState, expectedVersion: number): Promise<boolean>;
}

/** Applies one alarm change with optimistic locking; returns the state written. */
export async function applyAlarmChange(
  store: MarketingSwitchStore,
  change: AlarmChange,
  clock: () => Date = () => new Date(),
): Promise<MarketingSwitchState> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const current = await store.read();
    const next = nextSwitchState(current?.state ?? null, change, clock());
    if (current && next === current.state) return next;
    if (await store.write(next, current?.version ?? 0)) return next;
    await new Promise((r) => setTimeout(r, Math.random() * 50));
  }
  throw new Error('the marketing switch stayed contended');
}
