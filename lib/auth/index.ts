/** The auth context's public surface: API keys, console users' tokens, authentication and rate limits (adapters: dynamodb-key-store, aws-key-admin, aws-cognito-tokens). */
export * from './api-keys.js';
export * from './authenticate.js';
export * from './rate-limit.js';
export * from './user-tokens.js';
