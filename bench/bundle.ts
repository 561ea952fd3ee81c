import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { median } from './engine.js';

const ROOT = resolve(import.meta.dirname, '..');
/** Inside node_modules, so the bundle resolves its externals (the SDK) as Lambda's runtime would. */
const OUT_DIR = join(ROOT, 'node_modules', '.cache', 'stageflow-bench');

/** CDK's NodejsFunction default on Node.js 22: the runtime ships SDK v3, so it is not bundled. */
const DEFAULT_EXTERNALS = ['@aws-sdk/*'];

export interface BundlePlan {
  externals: string[];
  banner?: string;
  mainFields?: string[];
  source: string;
}

/** Mirrors the bundling options infra/ gives the functions (read from its source), or CDK's defaults. */
export function bundlePlan(): BundlePlan {
  const stack = ['infra/stateless-stack.ts', 'infra/stacks/stateless-stack.ts']
    .map((p) => join(ROOT, p))
    .find(existsSync);
  if (!stack) return { externals: DEFAULT_EXTERNALS, source: 'CDK NodejsFunction default (no infra yet)' };
  const text = readFileSync(stack, 'utf8');
  const source = `${stack.slice(ROOT.length + 1)}`;
  const list = text.match(/externalModules\s*:\s*\[([^\]]*)\]/);
  const banner = text.match(/banner\s*:\s*(['"`])(.*?)\1/s)?.[2];
  const fields = text.match(/mainFields\s*:\s*\[([^\]]*)\]/);
  const mainFields = fields ? [...fields[1].matchAll(/['"`]([^'"`]+)['"`]/g)].map((m) => m[1]) : undefined;
  const externals = list
    ? [...list[1].matchAll(/['"`]([^'"`]+)['"`]/g)].map((m) => m[1])
    : /bundleAwsSDK\s*:\s*true/.test(text)
      ? []
      : DEFAULT_EXTERNALS;
  return { externals, banner, mainFields, source };
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
  const out = await build({
    entryPoints: [join(ROOT, 'functions/ingest.ts')],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    external: plan.externals,
    ...(plan.mainFields ? { mainFields: plan.mainFields } : {}),
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
  const code = out.outputFiles[0].contents;
  const file = join(OUT_DIR, `${name}.mjs`);
  writeFileSync(file, code);
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

export interface InitResult {
  /** Median ms to import the bundle in a fresh node process. */
  bundleMs: number;
  /** Median ms to import an empty module in a fresh node process. */
  emptyMs: number;
  runs: number;
}

const IMPORT_TIMER =
  'const t=performance.now();await import(process.argv[1]);process.stdout.write(String(performance.now()-t));';

function importMs(file: string): number {
  const out = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', IMPORT_TIMER, pathToFileURL(file).href],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', TABLE_NAME: 'bench', NODE_NO_WARNINGS: '1' },
      encoding: 'utf8',
    },
  );
  return Number(out);
}

/** Module init: the import time of the bundle vs an empty module, each in fresh processes, interleaved. */
export function measureInit(file: string, runs = 5): InitResult {
  const empty = join(OUT_DIR, 'empty.mjs');
  writeFileSync(empty, 'export {};\n');
  importMs(file); // the first read warms the file-system cache for both
  const bundle: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < runs; i++) {
    baseline.push(importMs(empty));
    bundle.push(importMs(file));
  }
  return { bundleMs: median(bundle), emptyMs: median(baseline), runs };
}
