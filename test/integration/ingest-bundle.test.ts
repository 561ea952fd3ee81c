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
 * stores a touchpoint as the local stack's handler does.
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
  it('leaves the replaced SDK modules out', () => {
    const code = readFileSync(bundle.file, 'utf8');
    // No event-stream codec and no zlib (its CRC32): lib/aws/no-event-streams.ts stands in.
    expect(code).not.toMatch(/EventStreamCodec|MessageDecoderStream/);
    expect(code).not.toMatch(/["']node:zlib["']/);
    expect(code).toContain('AWS event streams are not bundled');
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
});
