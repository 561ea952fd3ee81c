/** The analytics context's public surface (domain and ports; its DynamoDB adapter is wired by lib/runtime). */
export * from './attribution-models.js';
export * from './calendar.js';
export * from './cells.js';
export * from './errors.js';
export * from './facts.js';
export * from './ports.js';
export * from './project.js';
export * from './queries.js';
export * from './read-analytics.js';
export * from './report-schemas.js';
export * from './reports.js';
export * from './stream-filter.js';
