import { describe, expect, it } from 'vitest';
import {
  ALARM_STATE_CHANGE,
  type AlarmChange,
  alarmChangeOf,
  applyAlarmChange,
  type MarketingSwitchState,
  type MarketingSwitchStore,
  nextSwitchState,
} from '../../lib/flows/marketing-switch.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const change = (alarmName: string, state: AlarmChange['state'], at: string): AlarmChange => ({
  alarmName,
  state,
  at,
});
const run = (...changes: AlarmChange[]): MarketingSwitchState =>
  changes.reduce<MarketingSwitchState | null>(
    (s, c) => nextSwitchState(s, c, NOW),
    null,
  ) as MarketingSwitchState;

class MemoryStore implements MarketingSwitchStore {
  item: { state: MarketingSwitchState; version: number } | null = null;
  conflicts = 0;
  async read() {
    return this.item && { state: this.item.state, version: this.item.version };
  }
  async write(state: MarketingSwitchState, expectedVersion: number) {
    if (this.conflicts > 0) {
      this.conflicts--;
      return false;
    }
    if ((this.item?.version ?? 0) !== expectedVersion) return false;
    this.item = { state, version: expectedVersion + 1 };
    return true;
  }
}

describe('marketing switch', () => {
  it('pauses when either alarm goes to ALARM', () => {
    expect(run(change('bounce', 'ALARM', '2026-03-01T10:00:00Z'))).toMatchObject({
      paused: true,
      reason: expect.stringContaining('bounce'),
      at: NOW.toISOString(),
    });
    expect(
      run(change('bounce', 'OK', 'a'), change('complaint', 'ALARM', '2026-03-01T10:00:00Z')).paused,
    ).toBe(true);
  });

  it('stays paused while one alarm is still in ALARM, resumes when both are OK', () => {
    // Prepare
    const bothAlarm = run(
      change('bounce', 'ALARM', '2026-03-01T10:00:00Z'),
      change('complaint', 'ALARM', '2026-03-01T10:05:00Z'),
    );

    // Act
    const oneOk = nextSwitchState(bothAlarm, change('bounce', 'OK', '2026-03-01T11:00:00Z'), NOW);
    const bothOk = nextSwitchState(oneOk, change('complaint', 'OK', '2026-03-01T11:05:00Z'), NOW);

    // Assess
    expect(oneOk).toMatchObject({ paused: true, reason: expect.stringContaining('complaint') });
    expect(bothOk).toMatchObject({ paused: false, reason: 'SES reputation alarms OK again' });
  });

  it('does not resume on INSUFFICIENT_DATA, nor pause on it', () => {
    const paused = run(change('bounce', 'ALARM', '2026-03-01T10:00:00Z'));
    expect(
      nextSwitchState(paused, change('bounce', 'INSUFFICIENT_DATA', '2026-03-01T11:00:00Z'), NOW).paused,
    ).toBe(true);
    expect(run(change('bounce', 'INSUFFICIENT_DATA', '2026-03-01T10:00:00Z')).paused).toBe(false);
  });

  it('ignores a change older than the one recorded for that alarm', () => {
    const ok = run(
      change('bounce', 'ALARM', '2026-03-01T10:00:00Z'),
      change('bounce', 'OK', '2026-03-01T11:00:00Z'),
    );
    const late = nextSwitchState(ok, change('bounce', 'ALARM', '2026-03-01T10:00:00Z'), NOW);
    expect(late).toBe(ok);
    expect(late.paused).toBe(false);
  });

  it('applies a change with optimistic locking, retrying after a conflict', async () => {
    // Prepare
    const store = new MemoryStore();
    store.conflicts = 2;

    // Act
    const state = await applyAlarmChange(
      store,
      change('complaint', 'ALARM', '2026-03-01T10:00:00Z'),
      () => NOW,
    );

    // Assess
    expect(state.paused).toBe(true);
    expect(store.item).toMatchObject({ version: 1, state: { paused: true } });
  });

  it('reads the alarm change from a CloudWatch Alarm State Change event', () => {
    const event = {
      source: 'aws.cloudwatch',
      'detail-type': ALARM_STATE_CHANGE,
      time: '2026-03-01T10:00:01Z',
      resources: ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:stageflow-dev-ses-bounce-rate'],
      detail: {
        alarmName: 'stageflow-dev-ses-bounce-rate',
        state: { value: 'ALARM', reason: 'Threshold Crossed', timestamp: '2026-03-01T10:00:00.000+0000' },
        previousState: { value: 'OK' },
      },
    };
    expect(alarmChangeOf(event)).toEqual({
      alarmName: 'stageflow-dev-ses-bounce-rate',
      state: 'ALARM',
      at: '2026-03-01T10:00:00.000+0000',
      reason: 'Threshold Crossed',
    });
    expect(alarmChangeOf({ source: 'aws.ses', 'detail-type': 'Email Bounced', detail: {} })).toBeNull();
  });
});
