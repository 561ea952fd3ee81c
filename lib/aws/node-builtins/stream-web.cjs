// node:stream/web for the bundles, loaded on the first use of one of its classes, not at import
// (infra/bundling.ts, NODE_BUILTINS). Only @middy/core imports it, for responses streamed with
// `streamifyResponse`, which no Stageflow function uses, so no request loads it; loading it
// at import cost every cold start its eight web-stream modules. NAMES are the module's exports
// in Node.js 20 to 24 (test/unit/node-builtins.test.ts checks them against the running Node); a
// name a Node.js lacks reads as undefined, as it would from the module itself.
const NAMES = [
  'ReadableStream',
  'ReadableStreamTee',
  'ReadableStreamDefaultReader',
  'ReadableStreamBYOBReader',
  'ReadableStreamBYOBRequest',
  'ReadableByteStreamController',
  'ReadableStreamDefaultController',
  'TransformStream',
  'TransformStreamDefaultController',
  'WritableStream',
  'WritableStreamDefaultWriter',
  'WritableStreamDefaultController',
  'ByteLengthQueuingStrategy',
  'CountQueuingStrategy',
  'TextEncoderStream',
  'TextDecoderStream',
  'CompressionStream',
  'DecompressionStream',
];

let web;
const load = () => {
  web ??= process.getBuiltinModule('node:stream/web');
  return web;
};
for (const name of NAMES) Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });
