/**
 * Dependency rules (docs/architecture.md). `npm test` runs them (`npm run depcruise`), and
 * test/unit/dependency-rules.test.ts proves each one fails on a fixture that breaks it.
 *
 * A *context* is a folder lib/<name>/ with an index.ts: its public surface. Inside a context a
 * file is an *adapter* when its name says which technology it talks to (dynamodb-*, ses-*,
 * eventbridge-*, aws-*, sfn-*, secrets-*); every other file is *domain*. lib/aws and
 * lib/storage hold the SDK helpers adapters share; lib/runtime is the composition root that
 * wires adapters into ports; lib/http is the HTTP edge; lib/shared is the leaf everything may use.
 */
const CONTEXTS =
  '(analytics|auth|campaigns|consent|customers|engagement|events|flows|ingest|journey|measurement|messaging|simulator|templates|touchpoints)';
const ADAPTER = `^lib/${CONTEXTS}/(dynamodb|ses|eventbridge|aws|sfn|secrets)-[^/]+\\.ts$`;
const INFRASTRUCTURE = '^lib/(aws|storage|runtime)/';

/** @type {import('dependency-cruiser').IConfiguration['forbidden']} */
const forbidden = [
  {
    name: 'no-cycle',
    severity: 'error',
    comment: 'A module must not import itself, directly or through others.',
    from: {},
    to: { circular: true },
  },
  {
    name: 'no-context-cycle',
    severity: 'error',
    comment: 'Contexts import each other in one direction only (two folders must not import each other).',
    scope: 'folder',
    from: { path: '^lib/' },
    to: { circular: true },
  },
  {
    name: 'no-sdk-in-domain',
    severity: 'error',
    comment:
      'Domain code never imports an AWS SDK: it talks to a port, and an adapter (dynamodb-*.ts, ses-*.ts, ...) implements it.',
    from: { path: '^lib/', pathNot: [ADAPTER, INFRASTRUCTURE] },
    to: { path: '(^|/)node_modules/@aws-sdk/|^@aws-sdk/' },
  },
  {
    name: 'no-deep-import-across-contexts',
    severity: 'error',
    comment:
      "Another context is used through its index.ts only. The composition root (lib/runtime) wires adapters, and an adapter may read another context's adapter (they share one table).",
    from: { path: `^lib/${CONTEXTS}/`, pathNot: [ADAPTER] },
    to: { path: `^lib/${CONTEXTS}/`, pathNot: ['^lib/$1/', '/index\\.ts$'] },
  },
  {
    name: 'no-deep-import-of-domain-across-contexts',
    severity: 'error',
    comment: "An adapter may import another context's adapter, but its domain only through index.ts.",
    from: { path: ADAPTER },
    to: { path: `^lib/${CONTEXTS}/`, pathNot: ['^lib/$1/', '/index\\.ts$', ADAPTER] },
  },
  {
    name: 'no-edge-or-root-in-contexts',
    severity: 'error',
    comment:
      'Contexts are below the HTTP edge and the composition root: they never import lib/http or lib/runtime (http-*.ts edge adapters excepted).',
    from: { path: `^lib/${CONTEXTS}/`, pathNot: `^lib/${CONTEXTS}/http-[^/]+\\.ts$` },
    to: { path: '^lib/(http|runtime)/' },
  },
  {
    name: 'shared-is-a-leaf',
    severity: 'error',
    comment: 'lib/shared depends on nothing else in the project.',
    from: { path: '^lib/shared/' },
    to: { path: '^(lib|events|functions|local|infra|scripts)/', pathNot: '^lib/shared/' },
  },
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^cdk\\.out/|^vendor/' },
    tsPreCompilationDeps: false,
    parser: 'swc',
    enhancedResolveOptions: { extensions: ['.ts', '.mts', '.js', '.mjs', '.json'] },
    combinedDependencies: false,
  },
};
