/**
 * DynamoDB's error responses as the SDK turns them into exceptions: the name from the body's
 * `__type`, its `code` or the `x-amzn-errortype` header (in that order, as awsJson1_0), the message from `message`/`Message`,
 * the body's members on the error (`CancellationReasons`, `Item`), `$fault` ('server' for a
 * 5xx, as DynamoDB's model marks only InternalServerError) and `$metadata`. The classes the
 * code tests with `instanceof` exist as classes; any other error is a ServiceException whose
 * `name` is the error code, which is all lib/shared/transient.ts and the adapters read.
 */

export interface ResponseMetadata {
  httpStatusCode?: number;
  requestId?: string;
  extendedRequestId?: string;
  cfId?: string;
  attempts?: number;
  totalRetryDelay?: number;
  clockSkewCorrected?: boolean;
}

export class DynamoDBServiceException extends Error {
  $fault: 'client' | 'server';
  $metadata: ResponseMetadata;
  $retryable?: { throttling?: boolean };
  /** The response's headers, for the retry-after hint. */
  $response?: { statusCode: number; headers: Record<string, string | string[] | undefined> };

  constructor(name: string, message: string, fault: 'client' | 'server', metadata: ResponseMetadata) {
    super(message);
    this.name = name;
    this.$fault = fault;
    this.$metadata = metadata;
  }
}

export interface CancellationReason {
  Item?: Record<string, unknown>;
  Code?: string;
  Message?: string;
}

export class ConditionalCheckFailedException extends DynamoDBServiceException {
  Item?: Record<string, unknown>;
}

export class TransactionCanceledException extends DynamoDBServiceException {
  Message?: string;
  CancellationReasons?: CancellationReason[];
}

const CLASSES: Record<string, typeof DynamoDBServiceException> = {
  ConditionalCheckFailedException,
  TransactionCanceledException,
};

/**
 * The exception an error response stands for. `body` is the parsed JSON, whatever it is: a
 * null, string or number body gives the SDK's `Unknown` error as an empty one does.
 */
export function errorFromResponse(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  body: unknown,
): DynamoDBServiceException {
  const data = (body !== null && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const name = errorCode(headers, data) ?? 'Unknown';
  const message = String(data.message ?? data.Message ?? 'UnknownError');
  const Class = CLASSES[name] ?? DynamoDBServiceException;
  const error = new Class(
    name,
    message,
    status >= 500 ? 'server' : 'client',
    responseMetadata(status, headers),
  );
  if (RETRYABLE.has(name)) error.$retryable = {};
  for (const [key, value] of Object.entries(data)) {
    if (key !== '__type' && key !== 'message' && key !== 'code')
      (error as unknown as Record<string, unknown>)[key] = value;
  }
  Object.defineProperty(error, '$response', { value: { statusCode: status, headers }, enumerable: false });
  return error;
}

/** Errors DynamoDB's model marks @retryable: the SDK gives them `$retryable`, so it retries them. */
const RETRYABLE = new Set(['ReplicatedWriteConflictException']);

/**
 * The error code as awsJson1_0 reads it (@smithy/core/protocols loadJsonRpcErrorCode): the
 * body's `__type` first, then its `code` (any case), then the `x-amzn-errortype` header; cut
 * at ',' and ':', then the part after '#'.
 */
function errorCode(headers: Record<string, string | string[] | undefined>, data: Record<string, unknown>) {
  const codeKey = Object.keys(data).find((k) => k.toLowerCase() === 'code');
  const header = headers['x-amzn-errortype'];
  const raw =
    data.__type !== undefined
      ? data.__type
      : codeKey !== undefined && data[codeKey] !== undefined
        ? data[codeKey]
        : header;
  if (raw === undefined) return undefined;
  let code = typeof raw === 'number' ? raw.toString() : String(raw);
  code = code.split(',')[0].split(':')[0];
  if (code.includes('#')) code = code.split('#')[1];
  return code;
}

/** The `$metadata` the SDK gives every response and error, from the response's headers. */
export function responseMetadata(
  status: number,
  headers: Record<string, string | string[] | undefined>,
): ResponseMetadata {
  return {
    httpStatusCode: status,
    requestId: str(
      headers['x-amzn-requestid'] ?? headers['x-amzn-request-id'] ?? headers['x-amz-request-id'],
    ),
    extendedRequestId: str(headers['x-amz-id-2']),
    cfId: str(headers['x-amz-cf-id']),
  };
}

const str = (v: string | string[] | undefined) => (typeof v === 'string' ? v : undefined);
