import {
  type MarketingSwitchState,
  type MarketingSwitchStore,
  marketingPaused,
  setManualPause,
} from '../flows/marketing-switch.js';
import { fieldErrors, ValidationError } from '../http/problem.js';
import type { SettingsStore } from './ports.js';
import { SettingsPatch } from './queries.js';

export interface SettingsView {
  globalControlPercent: number;
  marketing: {
    /** Paused now, by an alarm or by hand. */
    paused: boolean;
    /** Why: the alarm's reason, the manual reason, or why it runs. */
    reason: string;
    /** Since when the alarm-driven switch is in its state (ISO), or null if it never moved. */
    since: string | null;
    alarms: MarketingSwitchState['alarms'];
    manual: { paused: boolean; reason: string; at: string } | null;
  };
  /** Open and click tracking for everyone (STAGEFLOW_TRACKING); read-only here. */
  tracking: 'on' | 'off';
}

export interface SettingsDeps {
  settings: SettingsStore;
  marketing: MarketingSwitchStore;
  tracking: () => 'on' | 'off';
  clock?: () => Date;
}

/** GET and PATCH /v1/settings: the global control group, the marketing switch, tracking. */
export class ManageSettings {
  constructor(private readonly deps: SettingsDeps) {}

  async get(): Promise<SettingsView> {
    const [settings, marketing] = await Promise.all([this.deps.settings.read(), this.deps.marketing.read()]);
    const state = marketing?.state;
    const manual = state?.manual ?? null;
    const byAlarm = state?.paused === true;
    const reason = byAlarm
      ? state.reason
      : manual?.paused
        ? `paused by hand: ${manual.reason}`
        : state?.reason || 'never paused';
    return {
      globalControlPercent: settings.globalControlPercent,
      marketing: {
        paused: marketingPaused(state),
        reason,
        since: state?.at || null,
        alarms: state?.alarms ?? {},
        manual,
      },
      tracking: this.deps.tracking(),
    };
  }

  async patch(body: unknown): Promise<SettingsView> {
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
      await this.deps.settings.write({ globalControlPercent: patch.globalControlPercent ?? 0 });
    }
    if (patch.marketing === null || patch.marketing?.paused !== undefined) {
      const paused = patch.marketing?.paused ?? false;
      const reason = patch.marketing?.reason ?? (paused ? 'paused by a marketer' : 'resumed by a marketer');
      await setManualPause(this.deps.marketing, { paused, reason }, this.deps.clock);
    } else if (patch.marketing?.reason !== undefined) {
      throw new ValidationError(
        [{ path: 'marketing.paused', pointer: '/marketing/paused', message: 'is required with a reason' }],
        'Invalid settings',
      );
    }
    return this.get();
  }
}
