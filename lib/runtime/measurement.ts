import { dynamoClient } from '../aws/clients.js';
import { analyticsConfig } from '../config.js';
import { DynamoDbMarketingSwitch } from '../flows/dynamodb-marketing-switch.js';
import { setManualPause } from '../flows/index.js';
import type { ConversionDeps } from '../measurement/conversions.js';
import { DynamoDbAssignments } from '../measurement/dynamodb-assignments.js';
import { DynamoDbCounters } from '../measurement/dynamodb-counters.js';
import { DynamoDbSettings } from '../measurement/dynamodb-settings.js';
import { ManageSettings } from '../measurement/manage-settings.js';
import { ReadMeasurement } from '../measurement/read-measurement.js';
import { analytics } from './analytics.js';
import { container, once } from './container.js';
import { messaging } from './messaging.js';

/** The measurement context's ports wired to their adapters, once per process. */
export const measurement = once(() => {
  const { tableName } = container().config;
  const { timeZone, currency } = analyticsConfig();
  return {
    assignments: new DynamoDbAssignments(dynamoClient(), tableName, timeZone),
    settings: new DynamoDbSettings(dynamoClient(), tableName),
    counters: new DynamoDbCounters(dynamoClient(), tableName),
    timeZone,
    currency,
  };
});

/** What conversion detection reads: assignments and each assigned customer's history. */
export const conversionDeps = once(
  (): ConversionDeps => ({
    assignments: measurement().assignments,
    history: (id: string) => container().journeyStore.history(id),
    currency: measurement().currency,
  }),
);

/** The HTTP side: reports read from the counters, and the settings. */
export const measurementApi = once(() => {
  const m = measurement();
  const { campaigns } = messaging();
  const marketing = new DynamoDbMarketingSwitch(dynamoClient(), container().config.tableName);
  return {
    reads: new ReadMeasurement({
      counters: m.counters,
      campaigns: { get: (id) => campaigns.get(id), list: (q) => campaigns.list(q) },
      oldestInFlight: () => analytics().store.oldestInFlight(),
    }),
    settings: new ManageSettings({
      settings: m.settings,
      marketing: {
        read: () => marketing.read(),
        setManual: async (manual) => {
          await setManualPause(marketing, manual);
        },
      },
      // STAGEFLOW_TRACKING, validated with the rest of the configuration (lib/config.ts).
      tracking: () => container().config.tracking,
    }),
  };
});
