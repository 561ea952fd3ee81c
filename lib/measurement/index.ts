/**
 * The measurement context's public surface: assignments, conversions, the statistics, campaign
 * metrics, the global control group and its settings. Its DynamoDB adapters are wired by
 * lib/runtime (and the flows' message-log adapter writes its counters).
 */
export * from './assignment.js';
export * from './conversions.js';
export * from './counters.js';
export * from './manage-settings.js';
export * from './metrics.js';
export * from './ports.js';
export * from './queries.js';
export * from './read-measurement.js';
export * from './reason-codes.js';
export * from './statistics.js';
