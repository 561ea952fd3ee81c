/** The campaigns context's public surface: the flow catalogue, campaigns and their use cases. */

export * from './campaign.js';
export * from './defaults.js';
export * from './errors.js';
export * from './flow-catalogue.js';
export * from './manage-campaigns.js';
export * from './ports.js';
