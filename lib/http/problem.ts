import { type ErrorKind, type FieldError, StageflowError } from '../shared/errors.js';

/**
 * The one place a transport-neutral error (lib/shared/errors.ts) becomes an RFC 9457
 * problem: its kind picks the status, its code the `type`, and only exposed errors keep detail.
 */

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

const PROBLEM_BASE = 'https://stageflow.dev/problems/';

/** The HTTP status of each kind of error. */
export const STATUS_OF_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'precondition-failed': 412,
  'too-large': 413,
  'unsupported-media-type': 415,
  unprocessable: 422,
  'rate-limited': 429,
  internal: 500,
  unavailable: 503,
};

/** The schemes a 401 tells the client it may use. */
const WWW_AUTHENTICATE = 'Bearer realm="stageflow", Basic realm="stageflow"';

/** A PATCH body of a media type the route does not read (RFC 5789 `Accept-Patch`). */
export class UnsupportedMediaTypeError extends StageflowError {
  readonly accepted: readonly string[];

  constructor(got: string | undefined, accepted: readonly string[]) {
    super(
      'unsupported-media-type',
      'unsupported-media-type',
      'Unsupported media type',
      `The body must be ${accepted.join(' or ')}${got ? `, not ${got}` : '; send a Content-Type'}`,
    );
    this.name = 'UnsupportedMediaTypeError';
    this.accepted = accepted;
  }
}

export const statusOf = (error: StageflowError): number => STATUS_OF_KIND[error.kind];

/** The headers that go with an error's problem response. */
export function problemHeaders(error: StageflowError): Record<string, string> {
  const headers: Record<string, string> = {};
  if (error.kind === 'unauthenticated') headers['www-authenticate'] = WWW_AUTHENTICATE;
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  if (error instanceof UnsupportedMediaTypeError) headers['accept-patch'] = error.accepted.join(', ');
  return headers;
}

/** The problem+json body of an error. */
export function toProblem(error: StageflowError, instance?: string): ProblemDetails {
  return {
    type: PROBLEM_BASE + error.code,
    title: error.title,
    status: statusOf(error),
    detail: error.message,
    ...(instance ? { instance } : {}),
    ...(error.errors ? { errors: error.errors } : {}),
  };
}

/** What a client sees of an error it must not see the inside of. */
export const internalError = (): StageflowError =>
  new StageflowError(
    'internal',
    'internal',
    'Internal error',
    'Something went wrong on our side; retry the request',
  );
