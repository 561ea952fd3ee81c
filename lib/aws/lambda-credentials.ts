import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * The deployed functions' stand-in for `@aws-sdk/credential-provider-node`: infra/bundling.ts
 * aliases that package to this file, so every SDK client in a Lambda bundle takes its
 * credentials from the environment variables Lambda sets for the function's role
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), as the default chain would
 * have done first anyway.
 *
 * Why: the default chain also carries the SSO, INI-file, process, web-identity, IMDS and
 * container providers and the STS/SSO clients they use, about 130 KB minified that a Lambda
 * never runs but parses at every cold start (with the `child_process` and `http` modules they
 * import); `npm run bench` (figure d) measures the init with it and without it.
 *
 * Only bundles use this: `npm start`, the tests and the scripts import the SDK from
 * node_modules and keep the whole chain (a profile, SSO, DynamoDB Local's fixed keys).
 * Same signature as the chain: the SDK calls it with the client's config.
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
