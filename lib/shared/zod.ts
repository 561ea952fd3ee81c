import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * zod/mini with zod's English messages, for the schemas on the hot path (config, touchpoints,
 * the journey model, event contracts): about 17 KB in a bundle against classic zod's 97 KB, which
 * a Lambda parses at every cold start (docs/architecture.md, "Cold start"). Classic zod loads
 * the English messages itself; mini does not, and the default messages ("Invalid input:
 * expected string, received number") are part of the API's problem+json, so they are set here.
 * Import this module, not `zod/mini`, so no schema is used before the messages are set.
 */
config(en());

export * from 'zod/mini';
