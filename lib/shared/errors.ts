import type { core } from 'zod';

/**
 * Transport-neutral errors: the leaf every context's errors extend. They say *what* went wrong
 * (a kind, a stable code, a title, field errors); the HTTP edge (lib/http/problem.ts) alone
 * turns a kind into a status code and headers, so no context imports lib/http.
 */

/** One offending field: a dotted path for people and a JSON Pointer for machines. */
export interface FieldError {
  path: string;
  pointer: string;
  message: string;
}

/** What went wrong, in terms any edge (HTTP, CLI, a task's retry policy) can map. */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'precondition-failed'
  | 'too-large'
  | 'unsupported-media-type'
  | 'unprocessable'
  | 'rate-limited'
  | 'unavailable'
  | 'internal';

export interface StageflowErrorOptions {
  errors?: FieldError[];
  /** When a retry may succeed (rate limits, an index still being built). */
  retryAfterSeconds?: number;
  /** Shown to a client even though the kind is a server-side one (nothing internal in it). */
  expose?: boolean;
  cause?: unknown;
}

/** Base of every error a caller may be told about; only client-side kinds are shown by default. */
export class StageflowError extends Error {
  readonly kind: ErrorKind;
  /** Stable, machine-readable code (the last segment of the problem `type`). */
  readonly code: string;
  readonly title: string;
  readonly errors?: FieldError[];
  readonly retryAfterSeconds?: number;
  readonly expose: boolean;

  constructor(
    kind: ErrorKind,
    code: string,
    title: string,
    detail?: string,
    options: StageflowErrorOptions = {},
  ) {
    super(detail ?? title, { cause: options.cause });
    this.name = 'StageflowError';
    this.kind = kind;
    this.code = code;
    this.title = title;
    this.errors = options.errors;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.expose = options.expose ?? (kind !== 'unavailable' && kind !== 'internal');
  }
}

/** Field errors shown in one error at most. */
export const MAX_ERRORS = 20;

export class ValidationError extends StageflowError {
  constructor(errors: FieldError[], title = 'Invalid request') {
    // A body can hold thousands of bad values: name the first ones, enough to fix and resend.
    const shown = errors.slice(0, MAX_ERRORS);
    const more = errors.length > MAX_ERRORS ? `; and ${errors.length - MAX_ERRORS} more` : '';
    super(
      'invalid',
      'validation',
      title,
      shown.map((e) => `${e.path || '(body)'}: ${e.message}`).join('; ') + more,
      { errors: shown },
    );
    this.name = 'ValidationError';
  }
}

export class MalformedJsonError extends StageflowError {
  constructor(reason: string) {
    super('invalid', 'malformed-json', 'Malformed JSON', `The request body is not valid JSON: ${reason}`, {
      errors: [{ path: '', pointer: '', message: reason }],
    });
    this.name = 'MalformedJsonError';
  }
}

/** A body whose bytes are not UTF-8: refused, never silently replaced by U+FFFD. */
export class InvalidEncodingError extends StageflowError {
  constructor(reason: string) {
    super('invalid', 'invalid-encoding', 'Invalid encoding', `The request body must be UTF-8: ${reason}`, {
      errors: [{ path: '', pointer: '', message: reason }],
    });
    this.name = 'InvalidEncodingError';
  }
}

export class PayloadTooLargeError extends StageflowError {
  /** `asInvalid`: reported as plain invalid input (a 400) where Segment compatibility asks for it. */
  constructor(path: string, size: number, limit: number, asInvalid = false) {
    const what = path ? `${path} is` : 'The request body is';
    super(
      asInvalid ? 'invalid' : 'too-large',
      'payload-too-large',
      'Payload too large',
      `${what} ${size} bytes; the limit is ${limit} bytes`,
      {
        errors: [{ path, pointer: toPointer(path), message: `exceeds ${limit} bytes (got ${size})` }],
      },
    );
    this.name = 'PayloadTooLargeError';
  }
}

export class UnauthorizedError extends StageflowError {
  constructor(detail: string) {
    super('unauthenticated', 'unauthorized', 'Unauthorized', detail);
    this.name = 'UnauthorizedError';
  }
}

export class ForbiddenError extends StageflowError {
  constructor(detail: string) {
    super('forbidden', 'forbidden', 'Forbidden', detail);
    this.name = 'ForbiddenError';
  }
}

export class NotFoundError extends StageflowError {
  constructor(detail: string) {
    super('not-found', 'not-found', 'Not found', detail);
    this.name = 'NotFoundError';
  }
}

/** DELETE of `anon:<id>` when that anonymous id belongs to a user now: erase the user by their id. */
export class LinkedCustomerError extends StageflowError {
  constructor(customerId: string, ownerId: string) {
    super(
      'conflict',
      'linked-customer',
      'Linked to another customer',
      `${customerId} is linked to the customer ${ownerId}; DELETE /v1/customers/${encodeURIComponent(ownerId)} erases that customer with this anonymous id`,
    );
    this.name = 'LinkedCustomerError';
  }
}

export class TooManyRequestsError extends StageflowError {
  constructor(retryAfterSeconds: number) {
    super(
      'rate-limited',
      'too-many-requests',
      'Too many requests',
      `Rate limit exceeded; retry in ${retryAfterSeconds} s`,
      { retryAfterSeconds },
    );
    this.name = 'TooManyRequestsError';
  }
}

/** `batch[3].context.campaign` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

export function toPointer(path: string): string {
  if (!path) return '';
  return `/${path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean)
    .map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1'))
    .join('/')}`;
}

/** Field errors from a zod error, each path prefixed (e.g. with `batch[2]`). */
export function fieldErrors(error: core.$ZodError, prefix: readonly PropertyKey[] = []): FieldError[] {
  return error.issues.map((issue) => {
    const path = formatPath([...prefix, ...issue.path]);
    return { path, pointer: toPointer(path), message: issue.message };
  });
}
