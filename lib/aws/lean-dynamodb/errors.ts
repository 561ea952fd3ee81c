/**
 * DynamoDB's error responses as the SDK turns them into exceptions: the name from
 * `x-amzn-errortype` or the body's `__type` (after '#'), the message from `message`/`Message`,
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

/** The exception an error response stands for. */
export function errorFromResponse(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  body: Record<string, unknown>,
): DynamoDBServiceException {
  const header = headers['x-amzn-errortype'];
  const raw = (typeof header === 'string' && header) || String(body.code ?? body.__type ?? '');
  const name = raw.split(':')[0].split('#').pop() || `UnknownError`;
  const message = String(body.message ?? body.Message ?? 'UnknownError');
  const metadata: ResponseMetadata = {
    httpStatusCode: status,
    requestId: str(
      headers['x-amzn-requestid'] ?? headers['x-amzn-request-id'] ?? headers['x-amz-request-id'],
    ),
    extendedRequestId: str(headers['x-amz-id-2']),
    cfId: str(headers['x-amz-cf-id']),
  };
  const Class = CLASSES[name] ?? DynamoDBServiceException;
  const error = new Class(name, message, status >= 500 ? 'server' : 'client', metadata);
  for (const [key, value] of Object.entries(body)) {
    if (key !== '__type' && key !== 'message' && key !== 'code')
      (error as unknown as Record<string, unknown>)[key] = value;
  }
  Object.defineProperty(error, '$response', { value: { statusCode: status, headers }, enumerable: false });
  return error;
}

const str = (v: string | string[] | undefined) => (typeof v === 'string' ? v : undefined);
