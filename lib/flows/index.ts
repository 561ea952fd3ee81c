/** The flows context's public surface: planning runs, the send step and their ports. */
export * from './marketing-switch.js';
export * from './message-log.js';
export * from './plan.js';
export * from './ports.js';
export * from './reviews.js';
export * from './run.js';
export * from './send-step.js';
export * from './trace.js';
