/** The engagement context's public surface: SES events to message engagement and touchpoints. */
export * from './engagement.js';
export * from './message-key.js';
export * from './metric-counters.js';
export * from './ports.js';
export * from './record-engagement.js';
export * from './ses-event.js';
