import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

/**
 * Packages the bundles replace (esbuild `alias`): the SDK's default credential chain by
 * lib/aws/lambda-credentials.ts, which reads the environment credentials Lambda provides, and
 * the SDK's event-stream support, which none of our clients' operations use, by
 * lib/aws/no-event-streams.ts. Absolute paths, because esbuild resolves an alias from its
 * working directory.
 */
export const ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': join(ROOT, 'lib/aws/lambda-credentials.ts'),
  '@smithy/core/event-streams': join(ROOT, 'lib/aws/no-event-streams.ts'),
};

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
  esbuildArgs: Object.fromEntries(Object.entries(ALIASES).map(([from, to]) => [`--alias:${from}`, to])),
} as const;

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
