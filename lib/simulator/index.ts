/** The simulator's public surface. */
export * from './journeys.js';
export * from './random.js';
export * from './send.js';
