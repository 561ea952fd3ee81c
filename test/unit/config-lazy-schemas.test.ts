import { afterEach, describe, expect, it, vi } from 'vitest';

/**
 * lib/config.ts builds the schemas of the settings only some functions read (the event bus,
 * analytics, flows, measurement) on their first read, not at import (its `onFirstRead`): a
 * function that never reads them pays nothing for them at cold start. Proved by counting the
 * real zod `object` calls (passed through, not replaced) while a fresh copy of the module loads
 * and is read.
 */

afterEach(() => {
  vi.doUnmock('../../lib/shared/zod.js');
  vi.resetModules();
});

/** A fresh lib/config.ts whose zod `object` calls are counted, by the key names of each schema. */
async function countedConfig() {
  vi.resetModules();
  const built: string[][] = [];
  vi.doMock('../../lib/shared/zod.js', async (importOriginal) => {
    const real = await importOriginal<typeof import('../../lib/shared/zod.js')>();
    return {
      ...real,
      object: ((shape: Record<string, unknown>, ...rest: unknown[]) => {
        built.push(Object.keys(shape));
        return (real.object as (...a: unknown[]) => unknown)(shape, ...rest);
      }) as typeof real.object,
    };
  });
  const config = await import('../../lib/config.js');
  return { config, built };
}

const ENV = {
  TABLE_NAME: 'stageflow-test',
  EVENT_BUS_NAME: 'stageflow-test-bus',
};

describe('lib/config.ts: settings schemas built on first read', () => {
  it('builds only Config and RuntimeConfig at import', async () => {
    // Act
    const { built } = await countedConfig();

    // Assess
    expect(built).toHaveLength(2);
    expect(built[0]).toContain('TABLE_NAME');
    expect(built[1]).toContain('STAGEFLOW_AUTH_CACHE_MS');
  });

  it('builds each of the event-bus, analytics, flow and measurement schemas on its first read, once', async () => {
    // Prepare
    vi.stubEnv('TABLE_NAME', ENV.TABLE_NAME);
    vi.stubEnv('EVENT_BUS_NAME', ENV.EVENT_BUS_NAME);
    const { config, built } = await countedConfig();
    const keys = () => built.slice(2).map((shape) => shape[0]);

    // Act + Assess: each read builds its own schema, and only the first read of it
    config.eventsConfig();
    expect(keys()).toEqual(['EVENT_BUS_NAME']);
    config.resetConfig(); // drops the parsed values, not the schemas
    config.eventsConfig();
    expect(keys()).toEqual(['EVENT_BUS_NAME']);

    config.analyticsConfig();
    expect(keys()).toEqual(['EVENT_BUS_NAME', 'STAGEFLOW_REPORT_TIMEZONE']);

    config.flowConfig({});
    config.flowConfig({ STAGEFLOW_FREQUENCY_CAP: '5' });
    expect(keys()).toEqual(['EVENT_BUS_NAME', 'STAGEFLOW_REPORT_TIMEZONE', 'STAGEFLOW_FREQUENCY_CAP']);

    config.measurementConfig({});
    config.measurementConfig({ STAGEFLOW_SEED_HOLDOUT_PERCENT: '10' });
    expect(keys()).toEqual([
      'EVENT_BUS_NAME',
      'STAGEFLOW_REPORT_TIMEZONE',
      'STAGEFLOW_FREQUENCY_CAP',
      'STAGEFLOW_SEED_HOLDOUT_PERCENT',
    ]);

    // Reading Config itself builds nothing more: it was built at import.
    config.config();
    expect(built).toHaveLength(6);
    vi.unstubAllEnvs();
  });
});
