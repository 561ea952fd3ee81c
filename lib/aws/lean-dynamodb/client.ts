import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import { regionalEndpoint } from './endpoint.js';
import {
  type DynamoDBServiceException,
  errorFromResponse,
  type ResponseMetadata,
  responseMetadata,
} from './errors.js';
import { parseOutput, serializeInput } from './serde.js';
import { type Credentials, signRequest } from './sigv4.js';

/**
 * The lean DynamoDB client: the part of `@aws-sdk/client-dynamodb` the ingest function uses,
 * which infra/bundling.ts aliases into the ingest bundle only (docs/infra.md, "Lean DynamoDB
 * client"). It sends what the SDK sends, header for header and byte for byte
 * (test/contract/lean-dynamodb-wire.test.ts), and retries as the SDK's standard mode does.
 */

/** The SDK version whose requests this client reproduces (its user agent names it). */
export const SDK_VERSION = '3.1163.0';

export interface LeanClientConfig {
  endpoint?: string;
  region?: string;
  credentials?: Credentials | (() => Promise<Credentials>);
  maxAttempts?: number;
  /** The SDK's clock-skew correction, in ms (tests fix it, as they fix the SDK's). */
  systemClockOffset?: number;
  /** UUIDs for the invocation id and idempotency tokens (tests pass the SDK's). */
  uuid?: () => string;
}

const SUPPORTED = new Set(['endpoint', 'region', 'credentials', 'maxAttempts', 'systemClockOffset', 'uuid']);

/**
 * Settings the SDK reads from the environment and this client does not carry: set, each would
 * change what the SDK sends (endpoint, FIPS or dual-stack host, account-based endpoint, retry
 * mode), so the client refuses to start rather than differ. AWS_MAX_ATTEMPTS it reads as the
 * SDK does (below an explicit maxAttempts, which createDynamoClient passes); AWS_DEFAULTS_MODE
 * other than the default `legacy` changes the SDK's timeouts, so it is refused too.
 */
const UNSUPPORTED_ENV = [
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_USE_FIPS_ENDPOINT',
  'AWS_USE_DUALSTACK_ENDPOINT',
  'AWS_ACCOUNT_ID',
  'AWS_RETRY_MODE',
];

/**
 * SDK standard retries (@smithy/core/retry, 2026 settings): base delays (the DynamoDB client's
 * retry strategy uses 25 ms, not the generic 100), token bucket costs, default attempts.
 */
const BASE_DELAY = 25;
const THROTTLING_DELAY = 1_000;
const MAX_DELAY = 20_000;
const INITIAL_TOKENS = 500;
const DEFAULT_MAX_ATTEMPTS = 4;
const RETRY_COST = 14;
const THROTTLING_COST = 5;
const THROTTLING = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);
const TRANSIENT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

type RetryError = Error & {
  code?: string;
  $retryable?: unknown;
  $metadata?: ResponseMetadata;
  cause?: unknown;
};

const isThrottling = (e: RetryError) => e.$metadata?.httpStatusCode === 429 || THROTTLING.has(e.name);
function isTransient(e: RetryError, depth = 0): boolean {
  if (e.name === 'AbortError') return false;
  return (
    e.$retryable !== undefined ||
    e.$metadata?.clockSkewCorrected === true ||
    (e.name === 'InvalidSignatureException' && e.message.includes('Signature expired')) ||
    TRANSIENT_NAMES.has(e.name) ||
    NETWORK_CODES.has(e.code ?? '') ||
    TRANSIENT_STATUS.has(e.$metadata?.httpStatusCode ?? 0) ||
    (e.cause instanceof Error && depth <= 10 && isTransient(e.cause as RetryError, depth + 1))
  );
}

/** A command: its operation and its input, as the SDK's `new XCommand(input)`. */
export interface LeanCommand {
  readonly operation: string;
  readonly input: object;
}

type Output = Record<string, unknown> & { $metadata: ResponseMetadata };

export class DynamoDBClient {
  readonly #config: LeanClientConfig;
  readonly #agent: http.Agent;
  readonly #url: URL;
  readonly #region: string;
  #credentials?: Promise<Credentials>;
  #offset: number;
  #capacity = INITIAL_TOKENS;
  readonly #appId: string;
  readonly #maxAttempts: number;

  constructor(config: LeanClientConfig = {}) {
    for (const key of Object.keys(config)) {
      if (!SUPPORTED.has(key)) {
        throw new Error(`lean DynamoDB client: the "${key}" option is not supported (lib/aws/lean-dynamodb)`);
      }
    }
    for (const name of UNSUPPORTED_ENV) {
      if (process.env[name]) {
        throw new Error(
          `lean DynamoDB client: ${name} is set, which it does not support (lib/aws/lean-dynamodb)`,
        );
      }
    }
    const mode = process.env.AWS_DEFAULTS_MODE;
    if (mode && mode.toLowerCase() !== 'legacy') {
      throw new Error(
        `lean DynamoDB client: AWS_DEFAULTS_MODE=${mode} is set, which it does not support (only legacy; lib/aws/lean-dynamodb)`,
      );
    }
    this.#config = config;
    this.#maxAttempts = config.maxAttempts ?? envMaxAttempts() ?? DEFAULT_MAX_ATTEMPTS;
    const region = config.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) throw new Error('lean DynamoDB client: no region (set AWS_REGION or pass region)');
    this.#region = region;
    this.#url = new URL(config.endpoint ?? regionalEndpoint(region));
    // As the SDK's NodeHttpHandler: keep-alive, at most 50 sockets per host.
    const Agent = this.#url.protocol === 'http:' ? http.Agent : https.Agent;
    this.#agent = new Agent({ keepAlive: true, maxSockets: 50 });
    this.#offset = config.systemClockOffset ?? 0;
    // The app id closes the SDK's user agent, escaped as it escapes it. Powertools sets one
    // (PT/NO-OP/<version>/PTEnv/<env>) when its commons load, before any client is built.
    const appId = process.env.AWS_SDK_UA_APP_ID;
    this.#appId = appId ? ` app/${appId.replace(/[^!$%&'*+\-.^_`|~\w#]/g, '-')}` : '';
  }

  /** Closes the kept-alive sockets, as the SDK client's destroy(). */
  destroy(): void {
    this.#agent.destroy();
  }

  async send(command: LeanCommand): Promise<Output> {
    const uuid = this.#config.uuid ?? randomUUID;
    const input = { ...(command.input as Record<string, unknown>) };
    // The SDK fills the idempotency token once per send, so its retries reuse it.
    if (command.operation === 'TransactWriteItems' && input.ClientRequestToken == null)
      input.ClientRequestToken = uuid();
    const body = serializeInput(command.operation, input);
    const credentials = await this.#credentialsOnce();
    const maxAttempts = this.#maxAttempts;
    const headers = this.#headers(command.operation, body);
    headers['amz-sdk-invocation-id'] = uuid();
    let totalRetryDelay = 0;
    let lastCost: number | undefined;
    for (let attempt = 1; ; attempt++) {
      headers['amz-sdk-request'] = `attempt=${attempt}; max=${maxAttempts}`;
      for (const h of ['x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256', 'authorization'])
        delete headers[h];
      const offsetBefore = this.#offset;
      const sentAt = Date.now();
      signRequest(headers, body, credentials, this.#region, 'dynamodb', new Date(sentAt + offsetBefore));
      try {
        const output = await this.#exchange(headers, body, sentAt, offsetBefore);
        this.#capacity = Math.min(INITIAL_TOKENS, this.#capacity + (lastCost ?? 1));
        output.$metadata.attempts = attempt;
        output.$metadata.totalRetryDelay = totalRetryDelay;
        return output;
      } catch (error) {
        const e = error as RetryError;
        const retry = this.#retry(e, attempt, maxAttempts);
        if (retry === undefined) {
          e.$metadata ??= {};
          e.$metadata.attempts = attempt;
          e.$metadata.totalRetryDelay = totalRetryDelay;
          throw e;
        }
        lastCost = retry.cost;
        totalRetryDelay += retry.delay;
        await new Promise((resolve) => setTimeout(resolve, retry.delay));
      }
    }
  }

  /** The SDK standard strategy's decision: the delay before the next attempt and its cost, or none. */
  #retry(e: RetryError, attempt: number, maxAttempts: number): { delay: number; cost: number } | undefined {
    const throttling = isThrottling(e);
    if (!throttling && !isTransient(e)) return undefined;
    const cost = throttling ? THROTTLING_COST : RETRY_COST;
    if (attempt >= maxAttempts || this.#capacity < cost) return undefined;
    this.#capacity -= cost;
    const base = throttling ? THROTTLING_DELAY : BASE_DELAY;
    let delay = Math.floor(Math.random() * Math.min(base * 2 ** (attempt - 1), MAX_DELAY));
    const hint = retryAfter((e as DynamoDBServiceException).$response?.headers['retry-after']);
    if (hint !== undefined) delay = Math.max(delay, Math.min(hint - Date.now(), delay + 5_000));
    return { delay, cost };
  }

  #headers(operation: string, body: string): Record<string, string> {
    const { hostname, port } = this.#url;
    // The SDK's feature codes: N an endpoint override, E standard retries, P account-id endpoints
    // preferred, e credentials in code, g from the environment.
    const features = `${this.#config.endpoint ? 'N,' : ''}E,P,${this.#config.credentials ? 'e' : 'g'}`;
    const env = process.env.AWS_EXECUTION_ENV ? ` exec-env/${process.env.AWS_EXECUTION_ENV}` : '';
    const headers: Record<string, string> = {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${operation}`,
      'content-length': String(Buffer.byteLength(body)),
      'x-amz-user-agent': `aws-sdk-js/${SDK_VERSION}`,
      'user-agent':
        `aws-sdk-js/${SDK_VERSION} ua/2.1 os/${os.platform()}#${os.release()} lang/js ` +
        `md/nodejs#${process.versions.node} api/dynamodb#${SDK_VERSION}${env} m/${features}${this.#appId}`,
      host: port ? `${hostname}:${port}` : hostname,
    };
    // The SDK's recursion detection: inside Lambda, the invocation's X-Ray trace id.
    const trace = process.env._X_AMZN_TRACE_ID;
    if (process.env.AWS_LAMBDA_FUNCTION_NAME && trace) headers['X-Amzn-Trace-Id'] = trace;
    return headers;
  }

  #credentialsOnce(): Promise<Credentials> {
    this.#credentials ??= (async () => {
      const given = this.#config.credentials;
      if (typeof given === 'function') return given();
      if (given) return given;
      const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = process.env;
      if (!accessKeyId || !secretAccessKey) {
        throw new Error(
          'lean DynamoDB client: no credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY unset)',
        );
      }
      return { accessKeyId, secretAccessKey, sessionToken: process.env.AWS_SESSION_TOKEN || undefined };
    })();
    this.#credentials.catch(() => {
      this.#credentials = undefined;
    });
    return this.#credentials;
  }

  /** One HTTP exchange: the parsed output, or the error the response or the socket gave. */
  #exchange(
    headers: Record<string, string>,
    body: string,
    sentAt: number,
    offsetBefore: number,
  ): Promise<Output> {
    const { protocol, hostname, port } = this.#url;
    const request = protocol === 'http:' ? http.request : https.request;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          method: 'POST',
          protocol,
          hostname,
          port: port || undefined,
          path: '/',
          headers,
          agent: this.#agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const skewCorrected = this.#correctClock(res.headers, sentAt, offsetBefore);
            try {
              const parsed = parseOutput(Buffer.concat(chunks).toString('utf8'));
              if (status >= 300) {
                const error = errorFromResponse(status, res.headers, parsed);
                if (skewCorrected) error.$metadata.clockSkewCorrected = true;
                return reject(error);
              }
              const $metadata: ResponseMetadata = {
                httpStatusCode: status,
                requestId: res.headers['x-amzn-requestid'] as string | undefined,
                extendedRequestId: res.headers['x-amz-id-2'] as string | undefined,
                cfId: res.headers['x-amz-cf-id'] as string | undefined,
              };
              resolve({ $metadata, ...parsed });
            } catch (error) {
              // An unparseable answer (a proxy's 502 page) fails as the SDK's does: the
              // SyntaxError with the response's $metadata, retried by its status.
              const e = error as Error;
              e.message += SDK_DESERIALIZATION_HINT;
              Object.defineProperty(e, '$response', { value: { statusCode: status, headers: res.headers } });
              reject(Object.assign(e, { $metadata: responseMetadata(status, res.headers) }));
            }
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /**
   * The SDK's clock-skew sampling (AwsSdkSigV4Signer): every response's Date header, unless it
   * came through a cache (Age) or took over 15 minutes, sets the signing clock's offset to the
   * server's. An error whose answer moved the offset by 4 minutes or more is worth a retry.
   */
  #correctClock(headers: http.IncomingHttpHeaders, sentAt: number, offsetBefore: number): boolean {
    const server = headers.date ? Date.parse(headers.date) : Number.NaN;
    const now = Date.now();
    if (headers.age !== undefined || Number.isNaN(server) || now - sentAt > 900_000) return false;
    this.#offset = server - now;
    return Math.abs(this.#offset) >= 240_000 && this.#offset !== offsetBefore;
  }
}

/** AWS_MAX_ATTEMPTS as the SDK reads it: parseInt, and an error for what is not a number. */
function envMaxAttempts(): number | undefined {
  const value = process.env.AWS_MAX_ATTEMPTS;
  if (!value) return undefined;
  const n = Number.parseInt(value, 10);
  if (Number.isNaN(n))
    throw new Error(`Environment variable AWS_MAX_ATTEMPTS must be a number, got "${value}"`);
  return n;
}

const SDK_DESERIALIZATION_HINT =
  '\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.';

function retryAfter(value: string | string[] | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Date.now() + seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at;
}
