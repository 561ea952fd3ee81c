/** The auth context's public surface: API keys, authentication and rate limits (adapters: dynamodb-key-store, aws-key-admin). */
export * from './api-keys.js';
export * from './authenticate.js';
export * from './rate-limit.js';
