/** The customers context's public surface: reading and listing customers. */
export * from './list-customers.js';
export * from './ports.js';
export * from './read-customers.js';
