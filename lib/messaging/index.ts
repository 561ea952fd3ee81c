/** The messaging context's public surface: the mailer, personalisation and its port. */
export * from './errors.js';
export * from './fault-injecting-sender.js';
export * from './mailer.js';
export * from './personalise.js';
export * from './ports.js';
