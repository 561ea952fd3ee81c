import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http, { createServer, type IncomingMessage, type Server } from 'node:http';
import https from 'node:https';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import type { AddressInfo } from 'node:net';
import * as sdk from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { regionalEndpoint } from '../../lib/aws/lean-dynamodb/endpoint.js';
import * as lean from '../../lib/aws/lean-dynamodb/index.js';
import { isTransientDependencyError } from '../../lib/shared/transient.js';

/**
 * The lean DynamoDB client (lib/aws/lean-dynamodb), which only the ingest bundle uses, against
 * the real SDK: both send the same commands to one local HTTP server, which records the raw
 * requests (method, path, every header in order with Authorization, X-Amz-Date and the
 * security token, the body bytes) and answers with canned responses. Same fixed credentials,
 * region, clock offset and frozen Date; the lean client reuses the SDK's random invocation id
 * and idempotency token.
 */

interface Seen {
  method: string;
  url: string;
  rawHeaders: string[];
  body: string;
}
interface Canned {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

let server: Server;
let endpoint: string;
const seen: Seen[] = [];
let answers: Canned[] = [];

beforeAll(async () => {
  server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    seen.push({
      method: req.method!,
      url: req.url!,
      rawHeaders: req.rawHeaders,
      body: Buffer.concat(chunks).toString('utf8'),
    });
    const answer = answers.shift() ?? { status: 200, body: '{}' };
    // The frozen Date as the server's clock, so neither client corrects a skew unasked.
    res.writeHead(answer.status, {
      date: new Date().toUTCString(),
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': 'REQ1',
      ...answer.headers,
    });
    res.end(answer.body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  vi.useFakeTimers({ now: new Date('2026-11-30T01:02:03.456Z'), toFake: ['Date'] });
});
afterAll(() => {
  vi.useRealTimers();
  server.close();
});

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'FwoG//token=',
};
const config = { endpoint: '', region: 'eu-central-1', credentials, maxAttempts: 5, systemClockOffset: 1234 };

const header = (s: Seen, name: string) => {
  const i = s.rawHeaders.findIndex((h, n) => n % 2 === 0 && h.toLowerCase() === name);
  return i < 0 ? undefined : s.rawHeaders[i + 1];
};

type Pair = [string, Record<string, unknown>];

/** Sends `operation` with `input` through the SDK, then the lean client with the SDK's UUIDs; returns both requests. */
async function both(
  operation: string,
  input: Record<string, unknown>,
  canned?: Canned[],
  /** Settings over the shared config; an undefined one is left out of both clients' config. */
  overrides: Record<string, unknown> = {},
) {
  const cfg: Record<string, unknown> = { ...config, endpoint, ...overrides };
  for (const k of Object.keys(cfg)) if (cfg[k] === undefined) delete cfg[k];
  const Sdk = (sdk as unknown as Record<string, new (i: unknown) => sdk.GetItemCommand>)[
    `${operation}Command`
  ];
  const Lean = (lean as unknown as Record<string, new (i: object) => lean.LeanCommandLike>)[
    `${operation}Command`
  ];
  const sdkClient = new sdk.DynamoDBClient(cfg);
  answers = [...(canned ?? [])];
  seen.length = 0;
  const sdkResult = await sdkClient.send(new Sdk(structuredClone(input))).catch((e: unknown) => e);
  const sdkSeen = [...seen];
  const uuids = [
    ...(operation === 'TransactWriteItems' && !input.ClientRequestToken
      ? [JSON.parse(sdkSeen[0].body).ClientRequestToken as string]
      : []),
    header(sdkSeen[0], 'amz-sdk-invocation-id')!,
  ];
  const leanClient = new lean.DynamoDBClient({ ...cfg, uuid: () => uuids.shift()! });
  answers = [...(canned ?? [])];
  seen.length = 0;
  const leanResult = await leanClient.send(new Lean(structuredClone(input))).catch((e: unknown) => e);
  const leanSeen = [...seen];
  sdkClient.destroy();
  leanClient.destroy();
  return { sdkSeen, leanSeen, sdkResult, leanResult };
}

const bin = new Uint8Array([0, 1, 2, 250, 255]);
const item = {
  sk: { S: 'TP#2026-11-30#m-1' },
  pk: { S: 'CUSTOMER#c-1' },
  name: { S: 'Jürgen Grüße 🚀 "quoted" \\ back\nline' },
  n: { N: '12.50' },
  flag: { BOOL: false },
  nothing: { NULL: true },
  blob: { B: bin },
  blobs: { BS: [bin, new Uint8Array([7])] },
  tags: { SS: ['a', 'b'] },
  nums: { NS: ['1', '2'] },
  list: { L: [{ S: 'x' }, { M: { inner: { N: '1' }, b: { B: bin } } }] },
  map: { M: { z: { S: 'last' }, a: { S: 'first' } } },
  empty: { S: '' },
};
const key = { sk: { S: 'PROFILE' }, pk: { S: 'CUSTOMER#c-1' } };
const names = { '#v': 'version', '#u': 'updatedAt' };
const values = { ':v': { N: '3' }, ':now': { S: '2026-11-30T00:00:00Z' } };

// Inputs as the adapters write them, several in an order other than the model's.
const COMMANDS: Pair[] = [
  ['GetItem', { Key: key, TableName: 't', ConsistentRead: true }],
  [
    'PutItem',
    {
      Item: item,
      ConditionExpression: 'attribute_not_exists(pk)',
      TableName: 't',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  ],
  [
    'UpdateItem',
    {
      UpdateExpression: 'SET #u = :now ADD #v :v',
      Key: key,
      TableName: 't',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    },
  ],
  [
    'Query',
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': { S: 'CUSTOMER#c-1' }, ':p': { S: 'TP#' } },
      TableName: 't',
      ExclusiveStartKey: key,
      Limit: 100,
      ScanIndexForward: false,
      IndexName: 'gsi1',
      ConsistentRead: false,
      ProjectionExpression: 'pk, sk',
      ReturnConsumedCapacity: 'TOTAL',
    },
  ],
  [
    'BatchGetItem',
    {
      RequestItems: {
        t: { Keys: [key, { pk: { S: 'ALIAS#a' }, sk: { S: 'ALIAS' } }], ConsistentRead: true },
      },
      ReturnConsumedCapacity: 'TOTAL',
    },
  ],
  [
    'BatchWriteItem',
    {
      RequestItems: { t: [{ PutRequest: { Item: item } }, { DeleteRequest: { Key: key } }] },
      ReturnConsumedCapacity: 'TOTAL',
    },
  ],
  [
    'TransactWriteItems',
    {
      ReturnConsumedCapacity: 'TOTAL',
      TransactItems: [
        { ConditionCheck: { TableName: 't', Key: key, ConditionExpression: 'attribute_exists(pk)' } },
        {
          Put: {
            TableName: 't',
            Item: item,
            ConditionExpression: '#v = :v',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':v': { N: '2' } },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        { Delete: { Key: key, TableName: 't' } },
        {
          Update: {
            TableName: 't',
            Key: key,
            UpdateExpression: 'SET #u = :now',
            ExpressionAttributeNames: { '#u': 'u' },
            ExpressionAttributeValues: { ':now': { S: 'x' } },
          },
        },
      ],
    },
  ],
  [
    'TransactWriteItems',
    { TransactItems: [{ Put: { Item: key, TableName: 't' } }], ClientRequestToken: 'fixed-token' },
  ],
];

describe('lean DynamoDB client: the same bytes on the wire as @aws-sdk/client-dynamodb', () => {
  it.each(COMMANDS)('%s', async (operation, input) => {
    const { sdkSeen, leanSeen } = await both(operation, input);
    expect(sdkSeen).toHaveLength(1);
    expect(leanSeen).toEqual(sdkSeen);
    for (const name of [
      'authorization',
      'x-amz-date',
      'x-amz-security-token',
      'x-amz-target',
      'amz-sdk-request',
    ]) {
      expect(header(leanSeen[0], name), name).toBeTruthy();
    }
  });

  it('sends the same retried attempts (attempt=n; max=5) after a 500 and parses the answer alike', async () => {
    const canned: Canned[] = [
      {
        status: 500,
        body: JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
          message: 'boom',
        }),
      },
      {
        status: 200,
        body: JSON.stringify({
          Item: {
            pk: { S: 'p' },
            b: { B: 'AAEC' },
            bs: { BS: ['AA=='] },
            m: { M: { B: { S: 'not binary' } } },
          },
        }),
      },
    ];
    const { sdkSeen, leanSeen, sdkResult, leanResult } = await both(
      'GetItem',
      { TableName: 't', Key: key },
      canned,
    );
    expect(sdkSeen).toHaveLength(2);
    expect(leanSeen).toEqual(sdkSeen);
    const strip = (o: unknown) =>
      JSON.parse(
        JSON.stringify(o, (k, v) =>
          k === 'totalRetryDelay' ? undefined : v instanceof Uint8Array ? [...v] : v,
        ),
      );
    expect(strip(leanResult)).toEqual(strip(sdkResult));
    expect((leanResult as { Item: { b: { B: unknown } } }).Item.b.B).toBeInstanceOf(Uint8Array);
  });

  it('corrects a clock skew from the Date header and retries, as the SDK does', async () => {
    const skewed: Canned = {
      status: 400,
      headers: { date: new Date(Date.now() + 3_600_000).toUTCString() },
      body: JSON.stringify({
        __type: 'com.amazon.coral.service#InvalidSignatureException',
        message: 'Signature expired',
      }),
    };
    const { sdkSeen, leanSeen, sdkResult, leanResult } = await both('GetItem', { TableName: 't', Key: key }, [
      skewed,
    ]);
    expect(sdkSeen).toHaveLength(2);
    expect(leanSeen).toEqual(sdkSeen);
    // totalRetryDelay is the jittered backoff, random on each side.
    const meta = (r: unknown) => ({ ...(r as { $metadata: object }).$metadata, totalRetryDelay: 0 });
    expect(meta(leanResult)).toEqual(meta(sdkResult));
  });

  it('rejects what it does not support instead of dropping it', () => {
    expect(() => new lean.DynamoDBClient({ requestHandler: {} } as never)).toThrow(
      /"requestHandler" option is not supported/,
    );
    const client = new lean.DynamoDBClient({ ...config, endpoint });
    return expect(client.send(new lean.QueryCommand({ TableName: 't', KeyConditions: {} }))).rejects.toThrow(
      /Query\.KeyConditions is not supported/,
    );
  });
});

describe('lean DynamoDB client as deployed: regional endpoint, Lambda environment credentials', () => {
  it('sends what the SDK sends from inside a Lambda (exec-env, X-Ray trace id, session token)', async () => {
    const lambdaEnv = {
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret/with+chars',
      AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjE//session',
      AWS_REGION: 'eu-west-1',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_FUNCTION_NAME: 'stageflow-ingest',
      _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      // What @aws-lambda-powertools/commons sets when it loads (an app id in the user agent).
      AWS_SDK_UA_APP_ID: 'PT/NO-OP/2.36.0/PTEnv/AWS_Lambda_nodejs24.x',
    };
    // Set and removed on process.env itself: the SDK holds on to that object (node:process `env`).
    Object.assign(process.env, lambdaEnv);
    // Both clients' HTTPS requests to dynamodb.eu-west-1.amazonaws.com go to the local server
    // instead, headers untouched (the Host header is the regional endpoint's).
    const port = Number(new URL(endpoint).port);
    const toLocal = vi
      .spyOn(https, 'request')
      .mockImplementation(((options: http.RequestOptions, callback: (res: IncomingMessage) => void) =>
        http.request(
          { ...options, protocol: 'http:', hostname: '127.0.0.1', port, agent: undefined },
          callback,
        )) as never);
    syncBuiltinESMExports();
    try {
      const input = { TableName: 'stageflow', Key: key, ConsistentRead: true };
      seen.length = 0;
      const { defaultProvider } = await import('../../lib/aws/lambda-credentials.js');
      const sdkClient = new sdk.DynamoDBClient({
        maxAttempts: 5,
        credentials: defaultProvider(),
        systemClockOffset: 1234,
      });
      await sdkClient.send(new sdk.GetItemCommand(input));
      const sdkSeen = [...seen];
      seen.length = 0;
      const invocation = header(sdkSeen[0], 'amz-sdk-invocation-id')!;
      const leanClient = new lean.DynamoDBClient({
        maxAttempts: 5,
        systemClockOffset: 1234,
        uuid: () => invocation,
      });
      await leanClient.send(new lean.GetItemCommand(input));
      expect(seen).toEqual(sdkSeen);
      expect(header(sdkSeen[0], 'host')).toBe('dynamodb.eu-west-1.amazonaws.com');
      expect(header(sdkSeen[0], 'user-agent')).toContain(' app/PT-NO-OP-2.36.0-PTEnv-AWS_Lambda_nodejs24.x');
      expect(header(sdkSeen[0], 'x-amzn-trace-id')).toBe(lambdaEnv._X_AMZN_TRACE_ID);
      expect(header(sdkSeen[0], 'x-amz-security-token')).toBe(lambdaEnv.AWS_SESSION_TOKEN);
      sdkClient.destroy();
      leanClient.destroy();
    } finally {
      toLocal.mockRestore();
      syncBuiltinESMExports();
      for (const name of Object.keys(lambdaEnv)) delete process.env[name];
    }
  });
});

const ERRORS: [string, Canned][] = [
  [
    'ConditionalCheckFailedException',
    {
      status: 400,
      body: JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
        message: 'The conditional request failed',
        Item: { pk: { S: 'p' } },
      }),
    },
  ],
  [
    'TransactionCanceledException (conflict)',
    {
      status: 400,
      body: JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        Message: 'Transaction cancelled [None, ConditionalCheckFailed]',
        CancellationReasons: [
          { Code: 'None' },
          {
            Code: 'ConditionalCheckFailed',
            Message: 'The conditional request failed',
            Item: { pk: { S: 'p' } },
          },
        ],
      }),
    },
  ],
  [
    'TransactionCanceledException (contention)',
    {
      status: 400,
      body: JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        Message: 'Transaction cancelled [TransactionConflict]',
        CancellationReasons: [{ Code: 'TransactionConflict' }],
      }),
    },
  ],
  [
    'ValidationException',
    {
      status: 400,
      body: JSON.stringify({
        __type: 'com.amazon.coral.validate#ValidationException',
        message: 'Item size has exceeded the maximum allowed size',
      }),
    },
  ],
  [
    'ResourceNotFoundException',
    {
      status: 400,
      body: JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException',
        message: 'Requested resource not found',
      }),
    },
  ],
  [
    'body __type before the x-amzn-errortype header (ValidationException, not retried)',
    {
      status: 400,
      headers: { 'x-amzn-errortype': 'ThrottlingException' },
      body: JSON.stringify({ __type: 'com.amazon.coral.validate#ValidationException', message: 'bad' }),
    },
  ],
  [
    'body Code (any case) before the header, cut at "," and ":"',
    {
      status: 400,
      headers: { 'x-amzn-errortype': 'ThrottlingException' },
      body: JSON.stringify({ Code: 'ns#AccessDeniedException:http://x,y', message: 'c' }),
    },
  ],
  [
    'ReplicatedWriteConflictException ($retryable, retried)',
    {
      status: 400,
      body: JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#ReplicatedWriteConflictException',
        message: 'conflict',
      }),
    },
  ],
  ['null body (400)', { status: 400, body: 'null' }],
  ['string body (400)', { status: 400, body: '"oops"' }],
  ['number body (400)', { status: 400, body: '42' }],
  ['null body (500, retried)', { status: 500, body: 'null' }],
  ['empty body (400)', { status: 400, body: '' }],
  ['empty body (500, retried)', { status: 500, body: '' }],
  ['message but no code', { status: 400, body: JSON.stringify({ message: 'no code' }) }],
  [
    'AccessDeniedException (x-amzn-errortype)',
    {
      status: 400,
      headers: { 'x-amzn-errortype': 'AccessDeniedException:http://internal' },
      body: JSON.stringify({ Message: 'denied' }),
    },
  ],
];

describe('lean DynamoDB client: errors the adapters and transient.ts treat as the SDK’s', () => {
  it.each(ERRORS)('%s', async (_label, canned) => {
    // No backoff jitter, so a retried error's totalRetryDelay is the same (0) on both sides.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0);
    const { sdkResult, leanResult, sdkSeen, leanSeen } = await both(
      'PutItem',
      { TableName: 't', Item: key },
      Array(5).fill(canned),
    ).finally(() => random.mockRestore());
    expect(leanSeen).toEqual(sdkSeen);
    const s = sdkResult as sdk.TransactionCanceledException & { Item?: unknown };
    const l = leanResult as lean.TransactionCanceledException & { Item?: unknown };
    expect(l.name).toBe(s.name);
    expect(l.message).toBe(s.message);
    expect(l.$fault).toBe(s.$fault);
    expect(l.$retryable).toEqual(s.$retryable);
    expect(l.$metadata).toEqual(s.$metadata);
    expect(l.CancellationReasons).toEqual(s.CancellationReasons);
    expect(l.Item).toEqual(s.Item);
    expect(l instanceof lean.TransactionCanceledException).toBe(
      s instanceof sdk.TransactionCanceledException,
    );
    expect(l instanceof lean.ConditionalCheckFailedException).toBe(
      s instanceof sdk.ConditionalCheckFailedException,
    );
    expect(isTransientDependencyError(l)).toBe(isTransientDependencyError(s));
  });

  it('throttling: both retry to maxAttempts, then fail with the same error', async () => {
    vi.useRealTimers();
    const throttled = {
      status: 400,
      body: JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
        message: 'slow down',
      }),
    };
    const random = vi.spyOn(Math, 'random').mockReturnValue(0); // no backoff wait
    try {
      const { sdkSeen, leanSeen, sdkResult, leanResult } = await both(
        'Query',
        { TableName: 't' },
        Array(5).fill(throttled),
      );
      expect(sdkSeen.map((s) => header(s, 'amz-sdk-request'))).toEqual(
        leanSeen.map((s) => header(s, 'amz-sdk-request')),
      );
      expect(leanSeen).toHaveLength(5);
      expect((leanResult as Error).name).toBe((sdkResult as Error).name);
      expect((leanResult as sdk.DynamoDBServiceException).$metadata.attempts).toBe(5);
      expect(isTransientDependencyError(leanResult)).toBe(isTransientDependencyError(sdkResult));
    } finally {
      random.mockRestore();
      vi.useFakeTimers({ now: new Date('2026-11-30T01:02:03.456Z'), toFake: ['Date'] });
    }
  });
});

describe('lean DynamoDB client: retries, endpoints and environment as the SDK', () => {
  const fiveHundred: Canned = {
    status: 500,
    body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'boom' }),
  };

  it("backs off from the DynamoDB client's base delay (25 ms): the same totalRetryDelay for the same jitter", async () => {
    const strategy = (await new sdk.DynamoDBClient({ region: 'eu-central-1' }).config.retryStrategy()) as {
      baseDelay?: number;
    };
    expect(strategy.baseDelay).toBe(25);
    // A tenth of each backoff cap (25, 50, 100, 200 ms): about 37 ms in all, where a 50 ms base
    // would give about 75, without the test waiting the whole caps on both clients.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.1);
    const { sdkResult, leanResult, leanSeen } = await both(
      'GetItem',
      { TableName: 't', Key: key },
      Array(5).fill(fiveHundred),
    ).finally(() => random.mockRestore());
    expect(leanSeen).toHaveLength(5);
    const delay = (r: unknown) => (r as sdk.DynamoDBServiceException).$metadata.totalRetryDelay;
    expect(delay(leanResult)).toBe(delay(sdkResult));
    expect(delay(leanResult)).toBeGreaterThan(30);
    expect(delay(leanResult)).toBeLessThanOrEqual(40);
  });

  it('an unparseable answer (a 502 HTML page): the same SyntaxError, $metadata and retries', async () => {
    const html: Canned = {
      status: 502,
      headers: { 'content-type': 'text/html', 'x-amz-id-2': 'EXT2', 'x-amzn-requestid': 'REQ502' },
      body: '<html><body>502 Bad Gateway</body></html>',
    };
    const random = vi.spyOn(Math, 'random').mockReturnValue(0);
    const { sdkResult, leanResult, sdkSeen, leanSeen } = await both(
      'GetItem',
      { TableName: 't', Key: key },
      Array(5).fill(html),
    ).finally(() => random.mockRestore());
    expect(sdkSeen).toHaveLength(5);
    expect(leanSeen).toEqual(sdkSeen);
    const s = sdkResult as sdk.DynamoDBServiceException;
    const l = leanResult as lean.DynamoDBServiceException;
    expect(l.name).toBe(s.name);
    expect(l.message).toBe(s.message);
    expect(l.$metadata).toEqual(s.$metadata);
    expect(l.$metadata).toMatchObject({
      httpStatusCode: 502,
      requestId: 'REQ502',
      extendedRequestId: 'EXT2',
    });
    expect(isTransientDependencyError(l)).toBe(isTransientDependencyError(s));
  });

  it("resolves every partition's regional endpoint as the SDK's endpoint rules do", async () => {
    // The SDK's own partition list, so a partition it adds fails here until the lean client knows it.
    const require = createRequire(import.meta.url);
    const root = require.resolve('@aws-sdk/core/client').replace(/dist-cjs\/.*$/, '');
    const text = readFileSync(
      `${root}dist-es/submodules/client/util-endpoints/lib/aws/partitions.js`,
      'utf8',
    );
    const info = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as {
      partitions: { id: string; regions: Record<string, unknown> }[];
    };
    const regions = info.partitions.flatMap((p) => Object.keys(p.regions));
    expect(regions).toEqual(expect.arrayContaining(['cn-north-1', 'us-iso-east-1', 'eusc-de-east-1']));
    regions.push('cn-south-9', 'us-isob-west-7', 'xx-unknown-1', 'local');
    const sdkClient = new sdk.DynamoDBClient({ region: 'eu-central-1' });
    for (const region of regions) {
      const expected = sdkClient.config.endpointProvider({
        Region: region,
        UseFIPS: false,
        UseDualStack: false,
      });
      expect(new URL(regionalEndpoint(region)).href, region).toBe(expected.url.href);
    }
    sdkClient.destroy();
  });

  it('AWS_MAX_ATTEMPTS: read below an explicit maxAttempts, as the SDK does; AWS_DEFAULTS_MODE: only legacy', async () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0);
    vi.stubEnv('AWS_MAX_ATTEMPTS', '2');
    try {
      const fromEnv = await both('GetItem', { TableName: 't', Key: key }, Array(5).fill(fiveHundred), {
        maxAttempts: undefined,
      });
      expect(fromEnv.sdkSeen).toHaveLength(2);
      expect(fromEnv.leanSeen).toEqual(fromEnv.sdkSeen);
      const explicit = await both('GetItem', { TableName: 't', Key: key }, Array(5).fill(fiveHundred), {
        maxAttempts: 3,
      });
      expect(explicit.sdkSeen).toHaveLength(3);
      expect(explicit.leanSeen).toEqual(explicit.sdkSeen);
      vi.stubEnv('AWS_MAX_ATTEMPTS', 'many');
      expect(() => new lean.DynamoDBClient({ ...config, endpoint, maxAttempts: undefined })).toThrow(
        /AWS_MAX_ATTEMPTS must be a number/,
      );
      vi.stubEnv('AWS_MAX_ATTEMPTS', '');
      vi.stubEnv('AWS_DEFAULTS_MODE', 'legacy');
      new lean.DynamoDBClient({ ...config, endpoint }).destroy();
      vi.stubEnv('AWS_DEFAULTS_MODE', 'in-region');
      expect(() => new lean.DynamoDBClient({ ...config, endpoint })).toThrow(/AWS_DEFAULTS_MODE=in-region/);
    } finally {
      random.mockRestore();
      vi.unstubAllEnvs();
    }
  });

  it('addresses China regions at .com.cn and GovCloud at .com', () => {
    expect(regionalEndpoint('cn-northwest-1')).toBe('https://dynamodb.cn-northwest-1.amazonaws.com.cn');
    expect(regionalEndpoint('us-gov-west-1')).toBe('https://dynamodb.us-gov-west-1.amazonaws.com');
  });
});
