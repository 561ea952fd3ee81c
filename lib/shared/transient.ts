import { StageflowError } from './errors.js';

/**
 * Which failures of a dependency (DynamoDB, EventBridge, SES, the network) pass by themselves:
 * throttling, lock and transaction conflicts, timeouts, dropped connections, a 5xx. Under load
 * DynamoDB (Local more so) answers these although the write often landed; a client told "500"
 * gives up, one told "503, retry" resends. Whether a resend is safe depends on the request
 * (ingest is idempotent by messageId, a PUT or DELETE sets the same state again, a POST that
 * creates something creates it twice), so the detail says which (RESEND_DETAILS).
 * Transport-neutral: the HTTP edge (lib/http/middleware.ts) turns one into a 503 with
 * Retry-After, a batch marks only the items it hit (lib/ingest).
 */

/**
 * Error names (SDK exception names, Node's) that mean "try again shortly". Not SES v2's
 * `LimitExceededException`: that is a quota (the most templates an account may have), which
 * waiting does not lift; SES's sending rate is `TooManyRequestsException`.
 */
const TRANSIENT_NAMES = new Set([
  'TransactionConflictException',
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'InternalServerError',
  'InternalFailure',
  'InternalServiceError',
  'InternalException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'TransactionInProgressException',
]);

/** Reasons in a TransactionCanceledException that are contention, not a failed condition. */
export const TRANSIENT_CANCELLATION_CODES: ReadonlySet<string> = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
  'InternalServerError',
]);

/** Socket-level failures: the request may or may not have arrived; a resend is safe. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

type Inspectable = Error & {
  code?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  CancellationReasons?: ({ Code?: string } | undefined)[];
  /** Set by errors of our own that are contention by nature (lib/ingest's StoreExhaustedError). */
  transient?: unknown;
};

function isTransientItself(error: Inspectable): boolean {
  if (error.transient === true) return true;
  if (error instanceof StageflowError) return error.kind === 'unavailable';
  if (error.name === 'TransactionCanceledException') {
    const codes = (error.CancellationReasons ?? []).map((r) => r?.Code).filter((c) => c && c !== 'None');
    // A failed condition is an answer, not a hiccup: only contention makes the whole cancel transient.
    return codes.length > 0 && codes.every((c) => TRANSIENT_CANCELLATION_CODES.has(c!));
  }
  if (TRANSIENT_NAMES.has(error.name)) return true;
  if (typeof error.code === 'string' && NETWORK_CODES.has(error.code)) return true;
  if (error.$retryable !== undefined && error.$retryable !== null) return true;
  const status = error.$metadata?.httpStatusCode;
  if (typeof status === 'number' && (status === 429 || status === 503 || status === 504)) return true;
  return error.$fault === 'server' && typeof status === 'number' && status >= 500;
}

/**
 * Whether `error`, or an error it was caused by (`cause`, an AggregateError's `errors`), is a
 * transient dependency failure. Errors that are answers (a failed condition, validation, a
 * missing table, an access denial, a bug) are not.
 */
export function isTransientDependencyError(error: unknown, depth = 0): boolean {
  if (depth > 8 || !error || typeof error !== 'object') return false;
  const e = error as Inspectable;
  if (e instanceof StageflowError && e.kind !== 'unavailable' && e.expose) return false;
  if (isTransientItself(e)) return true;
  if (e instanceof AggregateError && e.errors.some((x) => isTransientDependencyError(x, depth + 1))) {
    return true;
  }
  return isTransientDependencyError(e.cause, depth + 1);
}

/** Seconds a client should wait before resending after a transient dependency failure. */
export const TRANSIENT_RETRY_AFTER_SECONDS = 2;

const UNAVAILABLE =
  'A storage or downstream service was briefly unavailable (throttling, a conflict or a timeout); ';

/** What a client may do after a 503, by what kind of request it was. */
export const RESEND_DETAILS = {
  /** Touchpoints: stored ones come back as duplicates. */
  ingest:
    `${UNAVAILABLE}part of the request may have been stored. It is safe to resend it unchanged: touchpoints are ` +
    'idempotent by messageId, so what was stored is reported as a duplicate.',
  /** GET, PUT, PATCH, DELETE: the same request sets (or reads) the same state again. */
  idempotent: `${UNAVAILABLE}the change may have been applied. It is safe to resend the request unchanged.`,
  /** A POST that creates or sends something (a campaign, a key, a test mail): a resend may do it twice. */
  unsafe:
    `${UNAVAILABLE}the change may have been applied. Check whether it was (list what it would have created) ` +
    'before resending, or it may be applied twice.',
} as const;

export type ResendSafety = keyof typeof RESEND_DETAILS;

/** The ingest detail, which the batch answers repeat per failed item. */
export const SAFE_TO_RETRY_DETAIL = RESEND_DETAILS.ingest;

/** A transient dependency failure as a client may see it: 503, Retry-After, and whether a resend is safe. */
export class DependencyUnavailableError extends StageflowError {
  constructor(cause?: unknown, safety: ResendSafety = 'ingest') {
    super(
      'unavailable',
      'dependency-unavailable',
      'Service temporarily unavailable',
      RESEND_DETAILS[safety],
      {
        retryAfterSeconds: TRANSIENT_RETRY_AFTER_SECONDS,
        expose: true,
        cause,
      },
    );
    this.name = 'DependencyUnavailableError';
  }
}
