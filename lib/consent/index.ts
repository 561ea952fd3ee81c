/** The consent context's public surface: consent, suppression and unsubscribe links. */
export * from './address.js';
export * from './consent.js';
export * from './errors.js';
export * from './manage-consent.js';
export * from './ports.js';
export * from './ses-events.js';
export * from './unsubscribe-page.js';
export * from './unsubscribe-token.js';
