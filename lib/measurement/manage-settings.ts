import { fieldErrors, ValidationError } from '../shared/errors.js';
import type { SettingsStore } from './ports.js';
import { SettingsPatch } from './queries.js';

type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** The marketing switch as settings see it (lib/flows owns it; lib/runtime wires it in). */
export interface MarketingSwitchState {
  paused: boolean;
  reason: string;
  at: string;
  alarms: Record<string, { state: AlarmState; at: string }>;
  manual?: { paused: boolean; reason: string; at: string; by?: string };
}

export interface MarketingSwitchControl {
  read(): Promise<{ state: MarketingSwitchState } | null>;
  /** Pauses or resumes marketing by hand; an alarm's pause is kept. */
  setManual(manual: { paused: boolean; reason: string; by?: string }): Promise<void>;
}

export interface SettingsView {
  globalControlPercent: number;
  /** The last change of the percentage: when and by whom; null while it is the default. */
  globalControlChange: { at: string; by: string | null } | null;
  marketing: {
    /** Paused now, by an alarm or by hand. */
    paused: boolean;
    /** Why: the alarm's reason, the manual reason, or why it runs. */
    reason: string;
    /** Since when the alarm-driven switch is in its state (ISO), or null if it never moved. */
    since: string | null;
    alarms: MarketingSwitchState['alarms'];
    manual: { paused: boolean; reason: string; at: string; by: string | null } | null;
  };
  /** Open and click tracking for everyone (STAGEFLOW_TRACKING); read-only here. */
  tracking: 'on' | 'off';
}

export interface SettingsDeps {
  settings: SettingsStore;
  marketing: MarketingSwitchControl;
  tracking: () => 'on' | 'off';
}

/** GET and PATCH /v1/settings: the global control group, the marketing switch, tracking. */
export class ManageSettings {
  constructor(private readonly deps: SettingsDeps) {}

  async get(): Promise<SettingsView> {
    const [settings, marketing] = await Promise.all([this.deps.settings.read(), this.deps.marketing.read()]);
    const state = marketing?.state;
    const manual = state?.manual ? { ...state.manual, by: state.manual.by ?? null } : null;
    const byAlarm = state?.paused === true;
    const reason = byAlarm
      ? state.reason
      : manual?.paused
        ? `paused by hand: ${manual.reason}`
        : state?.reason || 'never paused';
    return {
      globalControlPercent: settings.globalControlPercent,
      globalControlChange: settings.changedAt
        ? { at: settings.changedAt, by: settings.changedBy ?? null }
        : null,
      marketing: {
        paused: state?.paused === true || manual?.paused === true,
        reason,
        since: state?.at || null,
        alarms: state?.alarms ?? {},
        manual,
      },
      tracking: this.deps.tracking(),
    };
  }

  /** Applies a merge patch; `by` (the key's name or the user) is recorded with each change. */
  async patch(body: unknown, by?: string): Promise<SettingsView> {
    const parsed = SettingsPatch.safeParse(body);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error), 'Invalid settings');
    const patch = parsed.data;
    if (patch.tracking !== undefined && patch.tracking !== this.deps.tracking()) {
      throw new ValidationError(
        [
          {
            path: 'tracking',
            pointer: '/tracking',
            message: 'is read-only here: set STAGEFLOW_TRACKING (on or off) on the deployment',
          },
        ],
        'Invalid settings',
      );
    }
    if (patch.globalControlPercent !== undefined) {
      await this.deps.settings.write({
        globalControlPercent: patch.globalControlPercent ?? 0,
        changedAt: new Date().toISOString(),
        ...(by ? { changedBy: by } : {}),
      });
    }
    if (patch.marketing === null || patch.marketing?.paused !== undefined) {
      const paused = patch.marketing?.paused ?? false;
      const reason = patch.marketing?.reason ?? (paused ? 'paused by a marketer' : 'resumed by a marketer');
      await this.deps.marketing.setManual({ paused, reason, ...(by ? { by } : {}) });
    } else if (patch.marketing?.reason !== undefined) {
      throw new ValidationError(
        [{ path: 'marketing.paused', pointer: '/marketing/paused', message: 'is required with a reason' }],
        'Invalid settings',
      );
    }
    return this.get();
  }
}
