/** The touchpoints context's public surface: the touchpoint schema and its parser. */
export * from './engine-touchpoint.js';
export * from './parse.js';
export * from './schema.js';
