import { createHash, createHmac } from 'node:crypto';

/**
 * AWS Signature Version 4 for the lean DynamoDB client's requests (a POST to `/` with no query
 * string), as `@smithy/signature-v4` signs them for the SDK: every header signed except the
 * ones SigV4 leaves out, `x-amz-content-sha256` added, the signing key cached per day.
 * test/contract/lean-dynamodb-wire.test.ts compares the Authorization header with the SDK's.
 */

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Headers @smithy/signature-v4 never signs (its ALWAYS_UNSIGNABLE_HEADERS). */
const UNSIGNABLE = new Set([
  'authorization',
  'cache-control',
  'connection',
  'expect',
  'from',
  'keep-alive',
  'max-forwards',
  'pragma',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
]);

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

let cachedKey: { id: string; key: Buffer } | undefined;

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${date}:${region}:${service}:${secret}`;
  if (cachedKey?.id !== id) {
    const kDate = hmac(`AWS4${secret}`, date);
    cachedKey = { id, key: hmac(hmac(hmac(kDate, region), service), 'aws4_request') };
  }
  return cachedKey.key;
}

/** `20261130T022855Z` */
export const amzDate = (at: Date) =>
  at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/**
 * Adds x-amz-date, x-amz-security-token, x-amz-content-sha256 and authorization to `headers` for a POST of `body` to `/`, signed at `at`.
 */
export function signRequest(
  headers: Record<string, string>,
  body: string,
  credentials: Credentials,
  region: string,
  service: string,
  at: Date,
): void {
  const longDate = amzDate(at);
  const shortDate = longDate.slice(0, 8);
  headers['x-amz-date'] = longDate;
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;
  const payloadHash = sha256Hex(body);
  headers['x-amz-content-sha256'] = payloadHash;
  const signed = Object.keys(headers).filter((name) => !UNSIGNABLE.has(name.toLowerCase()));
  const value = new Map(signed.map((n) => [n.toLowerCase(), headers[n].trim().replace(/\s+/g, ' ')]));
  const names = [...value.keys()].sort();
  const canonicalHeaders = names.map((n) => `${n}:${value.get(n)}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = `POST\n/\n\n${canonicalHeaders}\n${signedHeaders}\n${payloadHash}`;
  const scope = `${shortDate}/${region}/${service}/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${longDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, shortDate, region, service))
    .update(stringToSign, 'utf8')
    .digest('hex');
  headers.authorization =
    `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`;
}
