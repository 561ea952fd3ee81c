import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BundleResult, bundleIngest, bundlePlan } from '../../bench/bundle.js';
import type { LocalStack } from '../../local/stack.js';
import { api, testStack, uid } from '../support/local.js';

/**
 * The ingest bundle as infra/bundling.ts builds it for Lambda (the SDK bundled, its credential
 * chain and event streams replaced by esbuild aliases), run in a fresh Node process against
 * DynamoDB Local: the aliases and the rest of the cold-start work must leave a function that
 * stores a touchpoint as the local stack's handler does. Its DynamoDB client is the lean one
 * (lib/aws/lean-dynamodb), so these also run that client against DynamoDB Local.
 */
let stack: LocalStack;
let bundle: BundleResult;

beforeAll(async () => {
  stack = await testStack('ingest-bundle');
  bundle = await bundleIngest(bundlePlan(true), 'ingest-bundle-test');
});
afterAll(async () => stack.stop());

/**
 * Imports the bundle in a new process and calls its handler once with this API Gateway event;
 * `loaded` says which of these Node built-ins the process had loaded by the end.
 */
async function invoke(
  event: Record<string, unknown>,
): Promise<{ statusCode: number; body: string; loaded: Record<string, boolean> }> {
  const script =
    'const { handler } = await import(process.argv[1]);' +
    'const r = await handler(JSON.parse(process.argv[2]), { getRemainingTimeInMillis: () => 10000, awsRequestId: "bundle-test" });' +
    'const loaded = Object.fromEntries(["stream/web", "https", "crypto"].map((m) => [m, process.moduleLoadList.includes("NativeModule " + m)]));' +
    'process.stdout.write("\\n" + JSON.stringify({ ...r, loaded }));';
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', script, pathToFileURL(bundle.file).href, JSON.stringify(event)],
    {
      env: {
        PATH: process.env.PATH,
        TABLE_NAME: stack.tableName,
        DYNAMODB_ENDPOINT: stack.dynamodbEndpoint,
        AWS_REGION: 'us-east-1',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
      },
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

const post = (path: string, body: unknown, headers: Record<string, string>) => ({
  version: '2.0',
  routeKey: `POST ${path}`,
  rawPath: path,
  headers: { 'content-type': 'application/json', ...headers },
  requestContext: { http: { method: 'POST', path }, requestId: 'bundle-test' },
  body: JSON.stringify(body),
  isBase64Encoded: false,
});

describe('the deployed ingest bundle', () => {
  it('leaves the replaced SDK modules out', async () => {
    // The other functions' bundles carry the real SDK client: built so (the ingest entry with the
    // real client), no event-stream codec and no zlib (its CRC32): lib/aws/no-event-streams.ts stands in.
    const real = await bundleIngest(
      bundlePlan(true, { leanDynamo: false }),
      'ingest-bundle-test-real-dynamodb',
    );
    const realCode = readFileSync(real.file, 'utf8');
    expect(realCode).not.toMatch(/EventStreamCodec|MessageDecoderStream/);
    expect(realCode).not.toMatch(/["']node:zlib["']/);
    expect(realCode).toContain('AWS event streams are not bundled');
    // The ingest bundle's lean client has no event streams at all.
    const code = readFileSync(bundle.file, 'utf8');
    expect(code).not.toMatch(/EventStreamCodec|MessageDecoderStream|["']node:zlib["']/);
  });

  it('carries the lean DynamoDB client, not the SDK client (infra/bundling.ts FUNCTION_ALIASES)', () => {
    const packages = bundle.byPackage.map((p) => p.name);
    expect(packages).not.toContain('@aws-sdk/client-dynamodb');
    expect(packages).not.toContain('@smithy/core');
    expect(readFileSync(bundle.file, 'utf8')).toContain('lean DynamoDB client');
  });

  it('loads the Node built-ins as CommonJS, without their ES module facades', () => {
    const code = readFileSync(bundle.file, 'utf8');
    // infra/bundling.ts NODE_BUILTINS: only the banner's node:module is an ES import.
    expect(code.match(/from\s*["']node:(?!module["'])[\w/]+["']/g) ?? []).toEqual([]);
    expect(code).toContain('getBuiltinModule("node:https")');
  });

  it('stores a touchpoint and a Segment track call against DynamoDB Local', async () => {
    // Prepare
    const customerId = uid('bundle');
    const headers = { authorization: `Bearer ${stack.keys.ingest}` };
    const touchpoint = {
      messageId: uid('m'),
      userId: customerId,
      event: 'Product Viewed',
      timestamp: new Date().toISOString(),
    };
    const basic = `Basic ${Buffer.from(`${stack.keys.ingest}:`).toString('base64')}`;

    // Act
    const native = await invoke(post('/v1/touchpoints', touchpoint, headers));
    const segment = await invoke(
      post(
        '/v1/track',
        {
          messageId: uid('m'),
          userId: customerId,
          event: 'Product Added',
          timestamp: new Date().toISOString(),
        },
        { authorization: basic },
      ),
    );

    // Assess: both stored, read back through the local stack's API.
    expect(native.statusCode, native.body).toBe(200);
    expect(segment.statusCode, segment.body).toBe(200);
    // node:stream/web is only middy's, for streamed responses: no request loads it.
    expect(native.loaded).toEqual({ 'stream/web': false, https: true, crypto: true });
    const customer = await api(stack)('GET', `/v1/customers/${encodeURIComponent(customerId)}`);
    expect(customer.status).toBe(200);
    expect(customer.body.stage).toBe('decide');
  });

  it('stores a touchpoint sent by racing processes once, and reports the others as duplicates', async () => {
    // Four fresh processes post the same messageId (and link the same anonymous id) at once:
    // whichever loses a race takes a conflict branch (the dedupe item's or the alias's failed
    // condition, a cancelled transaction) through the lean client's errors.
    const customerId = uid('race');
    const touchpoint = {
      messageId: uid('m'),
      userId: customerId,
      anonymousId: uid('anon'),
      event: 'Order Completed',
      properties: { orderId: uid('o'), total: 42 },
      timestamp: new Date().toISOString(),
    };
    const headers = { authorization: `Bearer ${stack.keys.ingest}` };

    const answers = await Promise.all(
      Array.from({ length: 4 }, () => invoke(post('/v1/touchpoints', touchpoint, headers))),
    );

    for (const a of answers) expect(a.statusCode, a.body).toBe(200);
    const bodies = answers.map((a) => JSON.parse(a.body) as { duplicate: boolean; customerId: string });
    expect(bodies.filter((b) => !b.duplicate)).toHaveLength(1);
    expect(new Set(bodies.map((b) => b.customerId))).toEqual(new Set([customerId]));
    const customer = await api(stack)('GET', `/v1/customers/${encodeURIComponent(customerId)}`);
    expect(customer.status).toBe(200);
  });
});
