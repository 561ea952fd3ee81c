import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { BUILTIN_ALIASES, BUNDLE_ALIASES, BUNDLING, bundleAliasesFor } from '../infra/bundling.js';
import { median } from './engine.js';

const ROOT = resolve(import.meta.dirname, '..');
/** Inside node_modules, so the bundle resolves its externals (the SDK) as Lambda's runtime would. */
const OUT_DIR = join(ROOT, 'node_modules', '.cache', 'stageflow-bench');

export interface BundlePlan {
  externals: string[];
  banner?: string;
  mainFields?: string[];
  /** esbuild `alias`: infra's (the SDK's credential chain replaced, the built-ins as CommonJS). */
  alias?: Record<string, string>;
  /** An external source map beside the bundle, without the sources (infra's). */
  sourceMap?: boolean;
  target: string;
  source: string;
}

/**
 * The bundling options infra/ gives the ingest function (infra/bundling.ts), with the SDK in or
 * out; `leanDynamo: false` builds it with the real DynamoDB client instead of the lean one, for
 * the comparison the bench reports.
 */
export function bundlePlan(
  bundleSdk: boolean = BUNDLING.bundleAwsSDK,
  { leanDynamo = true } = {},
): BundlePlan {
  return {
    externals: bundleSdk ? [] : ['@aws-sdk/*'],
    banner: BUNDLING.banner,
    mainFields: [...BUNDLING.mainFields],
    // With the SDK left to the runtime, esbuild never sees the chain, and neither does CDK;
    // the built-ins our code and middy import are aliased either way (infra/bundling.ts).
    alias: bundleSdk
      ? leanDynamo
        ? bundleAliasesFor('ingest')
        : { ...BUNDLE_ALIASES }
      : { ...BUILTIN_ALIASES },
    sourceMap: BUNDLING.sourceMap,
    target: BUNDLING.target,
    source: `infra/bundling.ts, SDK ${bundleSdk ? 'bundled' : 'from the runtime'}${bundleSdk && !leanDynamo ? ', real DynamoDB client' : ''}`,
  };
}

export interface BundleResult {
  bytes: number;
  externals: string[];
  source: string;
  /** Bytes in the output per package (or `src` for our own code), largest first. */
  byPackage: { name: string; bytes: number }[];
  /** Packages the bundle leaves to the runtime and imports at init (the SDK clients). */
  externalImports: string[];
  file: string;
}

const packageOf = (input: string): string => {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return 'src';
  const rest = input.slice(at + 'node_modules/'.length).split('/');
  return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
};

export async function bundleIngest(plan: BundlePlan, name = 'ingest'): Promise<BundleResult> {
  mkdirSync(OUT_DIR, { recursive: true });
  const file = join(OUT_DIR, `${name}.mjs`);
  const out = await build({
    entryPoints: [join(ROOT, 'functions/ingest.ts')],
    bundle: true,
    minify: true,
    platform: 'node',
    target: plan.target,
    format: 'esm',
    external: plan.externals,
    ...(plan.mainFields ? { mainFields: plan.mainFields } : {}),
    ...(plan.alias ? { alias: plan.alias } : {}),
    ...(plan.sourceMap ? { sourcemap: 'linked' as const, sourcesContent: false } : {}),
    outfile: file,
    // infra's banner, or the usual one: bundled CommonJS that require()s a built-in needs it in ESM.
    banner: {
      js:
        plan.banner ??
        "import { createRequire as __sfCreateRequire } from 'node:module'; const require = __sfCreateRequire(import.meta.url);",
    },
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  for (const output of out.outputFiles) writeFileSync(output.path, output.contents);
  const code = out.outputFiles.find((o) => o.path === file)!.contents;
  return {
    bytes: code.byteLength,
    externals: plan.externals,
    source: plan.source,
    byPackage: byPackage(out.metafile),
    externalImports: externalImports(out.metafile),
    file,
  };
}

function externalImports(meta: Metafile): string[] {
  const found = new Set<string>();
  for (const output of Object.values(meta.outputs)) {
    for (const i of output.imports) if (i.external && !isBuiltin(i.path)) found.add(i.path);
  }
  return [...found].sort();
}

function byPackage(meta: Metafile): { name: string; bytes: number }[] {
  const sizes = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      sizes.set(name, (sizes.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...sizes].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** A bundle to import, and the NODE_OPTIONS to import it with (none: as deployed by default). */
export interface InitEntry {
  file: string;
  nodeOptions?: string;
}

export interface InitResult {
  /** Median ms to import each file in a fresh node process, in the order given. */
  ms: number[];
  /** Median ms to import an empty module in a fresh node process. */
  emptyMs: number;
  /**
   * Median CPU ms (user + system, all threads) of each import, in the order given: on a machine
   * other jobs keep busy, wall time waits for a core and CPU time does not, so this tells a
   * slower bundle from a busier machine.
   */
  cpuMs: number[];
  runs: number;
}

const IMPORT_TIMER =
  'const c=process.cpuUsage(),t=performance.now();await import(process.argv[1]);' +
  'const w=performance.now()-t,u=process.cpuUsage(c);process.stdout.write(w+" "+(u.user+u.system)/1000);';

/** Wall and CPU ms of importing `file` in a fresh node process, with these NODE_OPTIONS. */
function importMs(file: string, nodeOptions?: string): [number, number] {
  const out = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', IMPORT_TIMER, pathToFileURL(file).href],
    {
      cwd: ROOT,
      // NODE_OPTIONS as the functions get them (infra/bundling.ts, runtimeNodeOptions).
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        TABLE_NAME: 'bench',
        NODE_NO_WARNINGS: '1',
        ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
      },
      encoding: 'utf8',
    },
  );
  const [wall, cpu] = out.split(' ').map(Number);
  return [wall, cpu];
}

/**
 * Module init: the import time of each bundle and of an empty module, each in fresh processes,
 * interleaved so a busy machine slows them alike.
 */
export function measureInit(entries: (string | InitEntry)[], runs = 5): InitResult {
  const empty = join(OUT_DIR, 'empty.mjs');
  writeFileSync(empty, 'export {};\n');
  const all = entries.map((e): InitEntry => (typeof e === 'string' ? { file: e } : e));
  for (const { file, nodeOptions } of all) importMs(file, nodeOptions); // warms the file-system cache
  const times = all.map((): number[] => []);
  const cpu = all.map((): number[] => []);
  const baseline: number[] = [];
  for (let i = 0; i < runs; i++) {
    baseline.push(importMs(empty)[0]);
    for (const [f, { file, nodeOptions }] of all.entries()) {
      const [wall, used] = importMs(file, nodeOptions);
      times[f].push(wall);
      cpu[f].push(used);
    }
  }
  return { ms: times.map(median), cpuMs: cpu.map(median), emptyMs: median(baseline), runs };
}
