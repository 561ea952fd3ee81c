import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

/**
 * Packages the bundles replace (esbuild `alias`): the SDK's default credential chain by
 * lib/aws/lambda-credentials.ts, which reads the environment credentials Lambda provides; the
 * SDK's event-stream support, which none of our clients' operations use, by
 * lib/aws/no-event-streams.ts; and DynamoDB's endpoint discovery, which no DynamoDB command
 * uses any more, by lib/aws/no-endpoint-discovery.ts. Absolute paths, because esbuild resolves
 * an alias from its working directory.
 */
export const ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': join(ROOT, 'lib/aws/lambda-credentials.ts'),
  '@smithy/core/event-streams': join(ROOT, 'lib/aws/no-event-streams.ts'),
  '@aws-sdk/middleware-endpoint-discovery': join(ROOT, 'lib/aws/no-endpoint-discovery.ts'),
};

/**
 * The Node.js built-ins the bundles import (the SDK, middy, Powertools, our own code), each
 * aliased, as `node:x` and as `x`, to lib/aws/node-builtins/x.cjs, a CommonJS module that
 * returns the built-in itself (`process.getBuiltinModule`).
 *
 * Why: a bundle's `import … from 'node:crypto'` makes Node build the built-in's ES module
 * facade, and building it reads every export, which runs the lazy getters Node keeps for the
 * parts few programs use: `crypto.webcrypto`, `fs.promises`, `process.report`,
 * `process.allowedNodeEnvironmentFlags`, `stream.promises`. Through a CommonJS module the
 * bundle gets the same module object without the facade and reads only the exports its code
 * uses, when it uses them; the built-ins themselves still load at import. `node:stream/web`
 * loads on first use instead (lib/aws/node-builtins/stream-web.cjs): only @middy/core imports it,
 * for streamed responses no function sends. `npm run bench -- --cold-start` measured both
 * (docs/architecture.md, "Cold start"). A built-in not listed here stays an ES import and works
 * as before; a subpath of a listed one (`node:timers/promises`) fails the build until it is
 * listed, because the alias would rewrite it into the file's path.
 */
export const NODE_BUILTINS = [
  'async_hooks',
  'console',
  'crypto',
  'fs',
  'fs/promises',
  'http',
  'https',
  'os',
  'path',
  'process',
  'stream',
  'stream/promises',
  'stream/web',
  'timers',
  'url',
] as const;

export const BUILTIN_ALIASES: Readonly<Record<string, string>> = Object.fromEntries(
  NODE_BUILTINS.flatMap((name) => {
    const file = join(ROOT, 'lib/aws/node-builtins', `${name.replace('/', '-')}.cjs`);
    return [
      [`node:${name}`, file],
      [name, file],
    ];
  }),
);

/** Every alias of a bundle with the SDK in it: the SDK's replaced parts and the built-ins. */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = { ...ALIASES, ...BUILTIN_ALIASES };

/**
 * Aliases of one function's bundle only. The ingest function, the one a shop's traffic
 * cold-starts most, takes `@aws-sdk/client-dynamodb` from lib/aws/lean-dynamodb: the seven
 * commands it sends, signed and retried as the SDK does, and wire-identical to it
 * (test/contract/lean-dynamodb-wire.test.ts), without the SDK's middleware stack, schemas and
 * endpoint rules, which were about a third of its init (`npm run bench -- --cold-start`;
 * docs/architecture.md, "Cold start"). Every other function, `npm start`, the tests and the
 * scripts keep the real SDK.
 */
export const FUNCTION_ALIASES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  ingest: { '@aws-sdk/client-dynamodb': join(ROOT, 'lib/aws/lean-dynamodb/index.ts') },
};

/** The esbuild aliases of function `name`'s bundle (the SDK bundled). */
export const bundleAliasesFor = (name: string): Record<string, string> => ({
  ...BUNDLE_ALIASES,
  ...FUNCTION_ALIASES[name],
});

/**
 * How esbuild bundles every function (the stateless stack's NodejsFunction `bundling`), kept
 * apart from CDK so `npm run bench` builds the ingest bundle with exactly these options.
 *
 * The AWS SDK is bundled, tree-shaken and minified, not taken from the Node.js 24 runtime:
 * `npm run bench` (figure d) measures both, and loading the runtime's SDK (hundreds of files
 * resolved and compiled at init) costs more than parsing the few hundred KB of it one function
 * uses. Bundling also pins the SDK version to package-lock.json instead of the runtime's, and
 * lets the bundle leave out the credential providers a Lambda never uses (ALIASES).
 */
export const BUNDLING = {
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  bundleAwsSDK: true,
  // Bundled CommonJS that require()s a Node built-in throws in ESM output without this.
  banner: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
  // External source maps without the sources, deployed for mapping stack traces (runtimeNodeOptions).
  sourceMap: true,
  sourcesContent: false,
  esbuildArgs: esbuildAliasArgs(BUNDLE_ALIASES),
} as const;

function esbuildAliasArgs(aliases: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(aliases).map(([from, to]) => [`--alias:${from}`, to]));
}

/** BUNDLING for function `name`: with its own aliases (FUNCTION_ALIASES) where it has any. */
export const bundlingFor = (name: string) => ({
  ...BUNDLING,
  esbuildArgs: esbuildAliasArgs(bundleAliasesFor(name)),
});

/**
 * NODE_OPTIONS of every function: none by default. `--enable-source-maps` would make stack traces
 * in the logs name source files, but Node then reads and decodes the bundle's source map (about
 * 570 KB for ingest) at every cold start: `npm run bench` measured it at about a third more
 * init (figure d shows it each run). The source maps are deployed beside each bundle all the
 * same, so a trace can be mapped afterwards (docs/infra.md), and `-c stageflow:sourceMaps=on`
 * deploys the functions with the flag.
 */
export const runtimeNodeOptions = (sourceMaps: boolean): string | undefined =>
  sourceMaps ? '--enable-source-maps' : undefined;
