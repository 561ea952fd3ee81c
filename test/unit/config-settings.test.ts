import { describe, expect, it } from 'vitest';
import { ConfigurationError, flowConfig, measurementConfig } from '../../lib/config.js';

// The flow and measurement schemas are built on first read (lib/config.ts, onFirstRead):
// they still default and reject as before.
describe('settings read on demand', () => {
  it('defaults the flow settings and rejects a bad one naming it', () => {
    // Act
    const settings = flowConfig({});
    // Assess
    expect(settings).toMatchObject({
      frequencyCap: 3,
      quietHours: { start: 21, end: 8 },
      sendLeaseMs: 300_000,
    });
    expect(() => flowConfig({ STAGEFLOW_FREQUENCY_CAP: '0' })).toThrow(ConfigurationError);
    expect(() => flowConfig({ STAGEFLOW_QUIET_HOURS: 'late' })).toThrow(/STAGEFLOW_QUIET_HOURS/);
  });

  it('reads the seed holdout percentage within 0 to 100', () => {
    expect(measurementConfig({ STAGEFLOW_SEED_HOLDOUT_PERCENT: '5' })).toEqual({ seedHoldoutPercent: 5 });
    expect(() => measurementConfig({ STAGEFLOW_SEED_HOLDOUT_PERCENT: '101' })).toThrow(
      /STAGEFLOW_SEED_HOLDOUT_PERCENT/,
    );
  });
});
