/**
 * How esbuild bundles every function (the stateless stack's NodejsFunction `bundling`), kept
 * apart from CDK so `npm run bench` builds the ingest bundle with exactly these options.
 *
 * The AWS SDK is bundled, tree-shaken and minified, not taken from the Node.js 24 runtime:
 * `npm run bench` (figure d) measures both, and loading the runtime's SDK (hundreds of files
 * resolved and compiled at init) costs more than parsing the few hundred KB of it one function
 * uses. Bundling also pins the SDK version to package-lock.json instead of the runtime's.
 */
export const BUNDLING = {
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  bundleAwsSDK: true,
  // Bundled CommonJS that require()s a Node built-in throws in ESM output without this.
  banner: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
} as const;
