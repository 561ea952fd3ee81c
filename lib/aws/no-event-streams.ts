/**
 * The deployed functions' stand-in for `@smithy/core/event-streams`: infra/bundling.ts aliases
 * that module to this file. The SDK's protocols import it (`await import(…)`) only for an
 * operation with an event stream (Bedrock, Transcribe, S3 SelectObjectContent, Kinesis
 * SubscribeToShard); the clients Stageflow uses (DynamoDB, DynamoDB Streams, EventBridge, SES v2,
 * Step Functions, Secrets Manager, Cognito) have none, so no request of a function ever loads it.
 *
 * Why: esbuild still bundles a dynamically imported module, and event streams bring about 19 KB
 * minified plus `node:zlib` (their CRC32), which every function parsed and loaded at each cold
 * start for nothing; `npm run bench` (figure d) measures the init. Should a client with event
 * streams ever be added, its first such call fails loudly here instead of working.
 *
 * Only bundles use this: `npm start`, the tests and the scripts import the SDK from node_modules.
 * The names are the ones `@smithy/core/protocols` imports (HttpProtocol.loadEventStreamCapability).
 */
const notBundled = (): never => {
  throw new Error(
    'AWS event streams are not bundled into Stageflow functions (infra/bundling.ts, lib/aws/no-event-streams.ts)',
  );
};

export class EventStreamSerde {
  constructor() {
    notBundled();
  }
}

export const eventStreamSerdeProvider = (): never => notBundled();
