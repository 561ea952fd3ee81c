import { BUNDLING, runtimeNodeOptions } from '../infra/bundling.js';
import { type BundleResult, bundleIngest, bundlePlan, measureInit } from './bundle.js';
import type { Figure } from './report.js';

/**
 * (d) Cold start of the ingest function: its bundle built as infra/bundling.ts builds it, once
 * with the AWS SDK left to the runtime and once with the SDK bundled (tree-shaken, minified),
 * and the import time of each against an empty module, in fresh processes, interleaved.
 * `npm run bench -- --cold-start` runs this alone.
 */
export interface ColdStart {
  /** The bundle without the SDK: the project's code and its other dependencies. */
  withoutSdk: BundleResult;
  withSdk: BundleResult;
  /** Bytes the bundled SDK adds. */
  sdkBytes: number;
  init: {
    emptyMs: number;
    runtimeSdkMs: number;
    bundledSdkMs: number;
    /** CPU ms of the same imports (bench/bundle.ts, measureInit). */
    runtimeSdkCpuMs: number;
    bundledSdkCpuMs: number;
    /** The bundled-SDK bundle with `-c stageflow:sourceMaps=on` (`--enable-source-maps`). */
    sourceMapsMs: number;
    sourceMapsCpuMs: number;
    /** The SDK bundled with the real DynamoDB client instead of lib/aws/lean-dynamodb. */
    realDynamoMs: number;
    realDynamoCpuMs: number;
    runs: number;
  };
  /** The bundle with the real DynamoDB client (the comparison for the lean one). */
  realDynamo: BundleResult;
  /** What gave the lower init in this run, and what infra/bundling.ts deploys. */
  lower: 'bundled' | 'runtime';
  configured: 'bundled' | 'runtime';
}

export async function coldStart(progress: (line: string) => void, runs = 7): Promise<ColdStart> {
  progress('(d) bundling functions/ingest.ts with the SDK from the runtime and with the SDK bundled');
  const withoutSdk = await bundleIngest(bundlePlan(false), 'ingest-runtime-sdk');
  const withSdk = await bundleIngest(bundlePlan(true), 'ingest-bundled-sdk');
  const realDynamo = await bundleIngest(bundlePlan(true, { leanDynamo: false }), 'ingest-real-dynamodb');
  const measured = measureInit(
    [
      withoutSdk.file,
      withSdk.file,
      { file: withSdk.file, nodeOptions: runtimeNodeOptions(true) },
      realDynamo.file,
    ],
    runs,
  );
  const init = {
    emptyMs: measured.emptyMs,
    runtimeSdkMs: measured.ms[0],
    bundledSdkMs: measured.ms[1],
    runtimeSdkCpuMs: measured.cpuMs[0],
    bundledSdkCpuMs: measured.cpuMs[1],
    sourceMapsMs: measured.ms[2],
    sourceMapsCpuMs: measured.cpuMs[2],
    realDynamoMs: measured.ms[3],
    realDynamoCpuMs: measured.cpuMs[3],
    runs: measured.runs,
  };
  const result: ColdStart = {
    withoutSdk,
    realDynamo,
    withSdk,
    sdkBytes: withSdk.bytes - withoutSdk.bytes,
    init,
    lower: init.bundledSdkMs <= init.runtimeSdkMs ? 'bundled' : 'runtime',
    configured: BUNDLING.bundleAwsSDK ? 'bundled' : 'runtime',
  };
  progress(
    `(d) ${kb(withoutSdk.bytes)} KB without the SDK (+${kb(result.sdkBytes)} KB SDK); init ` +
      `${init.bundledSdkMs.toFixed(0)} ms SDK bundled, ${init.runtimeSdkMs.toFixed(0)} ms SDK from the runtime, ` +
      `${init.emptyMs.toFixed(0)} ms empty module (CPU ${init.bundledSdkCpuMs.toFixed(0)} and ` +
      `${init.runtimeSdkCpuMs.toFixed(0)} ms)`,
  );
  return result;
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);

export function figuresD(c: ColdStart): Figure[] {
  const deployedMs = c.configured === 'bundled' ? c.init.bundledSdkMs : c.init.runtimeSdkMs;
  const deployedCpuMs = c.configured === 'bundled' ? c.init.bundledSdkCpuMs : c.init.runtimeSdkCpuMs;
  const withoutSdkKb = c.withoutSdk.bytes / 1024;
  return [
    {
      id: 'd',
      name: 'ingest bundle without the SDK, minified',
      value: withoutSdkKb,
      unit: 'KB',
      target: '<= 150 KB',
      pass: withoutSdkKb <= 150,
      detail: c.withoutSdk.byPackage
        .slice(0, 5)
        .map((p) => `${p.name} ${(p.bytes / 1024).toFixed(0)} KB`)
        .join(', '),
    },
    {
      id: 'd',
      name: 'AWS SDK bundled into ingest, minified',
      value: c.sdkBytes / 1024,
      unit: `KB (whole bundle ${kb(c.withSdk.bytes)} KB)`,
    },
    {
      id: 'd',
      name: `ingest module init as deployed, SDK ${c.configured} (median of ${c.init.runs} fresh processes)`,
      value: deployedMs,
      unit: `ms (empty module ${c.init.emptyMs.toFixed(1)} ms)`,
      target: '<= 100 ms',
      pass: deployedMs <= 100,
      detail: `CPU ${deployedCpuMs.toFixed(0)} ms; a wall time far above it means a busy machine (uptime)`,
    },
    {
      id: 'd',
      name: 'ingest module init with -c stageflow:sourceMaps=on (--enable-source-maps)',
      value: c.init.sourceMapsMs,
      unit: `ms (CPU ${c.init.sourceMapsCpuMs.toFixed(0)} ms)`,
    },
    {
      id: 'd',
      name: 'ingest module init, SDK bundled vs from the runtime',
      value: c.init.bundledSdkMs / c.init.runtimeSdkMs,
      unit: `× (${c.init.bundledSdkMs.toFixed(0)} ms vs ${c.init.runtimeSdkMs.toFixed(0)} ms)`,
      target: `infra/bundling.ts takes the lower (${c.configured})`,
      pass: c.lower === c.configured,
      detail: `runtime SDK imported at init: ${c.withoutSdk.externalImports.join(', ') || 'nothing'}`,
    },
    {
      id: 'd',
      name: 'ingest module init CPU, lean DynamoDB client vs the real one (lib/aws/lean-dynamodb)',
      value: c.init.bundledSdkCpuMs / c.init.realDynamoCpuMs,
      unit:
        `× (CPU ${c.init.bundledSdkCpuMs.toFixed(0)} ms vs ${c.init.realDynamoCpuMs.toFixed(0)} ms; ` +
        `wall ${c.init.bundledSdkMs.toFixed(0)} ms vs ${c.init.realDynamoMs.toFixed(0)} ms)`,
      detail: `bundle ${kb(c.withSdk.bytes)} KB vs ${kb(c.realDynamo.bytes)} KB`,
    },
  ];
}
