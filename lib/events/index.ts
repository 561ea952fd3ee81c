/** The events context's public surface: the outbox, its relay and event patterns. */
export * from './outbox-filter.js';
export * from './pattern.js';
export * from './publisher.js';
export * from './relay.js';
export * from './stable-id.js';
