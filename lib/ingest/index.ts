/** The ingest context's public surface: the ingest use case and its port. */
export * from './customer-list-keys.js';
export * from './ingest-touchpoints.js';
export * from './ports.js';
