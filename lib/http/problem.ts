import type { z } from 'zod';

/** One offending field: a dotted path for people and a JSON Pointer for machines. */
export interface FieldError {
  path: string;
  pointer: string;
  message: string;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

const PROBLEM_BASE = 'https://stageflow.dev/problems/';

/** An error that maps to an RFC 9457 problem; only 4xx detail is ever shown to a client. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly slug: string;
  readonly title: string;
  readonly errors?: FieldError[];
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    slug: string,
    title: string,
    detail?: string,
    options: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail ?? title, { cause: options.cause });
    this.name = 'HttpProblem';
    this.status = status;
    this.slug = slug;
    this.title = title;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }

  get expose(): boolean {
    return this.status < 500;
  }

  toProblem(instance?: string): ProblemDetails {
    return {
      type: PROBLEM_BASE + this.slug,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

/** Field errors shown in one problem at most. */
export const MAX_ERRORS = 20;

export class ValidationError extends HttpProblem {
  constructor(errors: FieldError[], title = 'Invalid request') {
    // A body can hold thousands of bad values: name the first ones, enough to fix and resend.
    const shown = errors.slice(0, MAX_ERRORS);
    const more = errors.length > MAX_ERRORS ? `; and ${errors.length - MAX_ERRORS} more` : '';
    super(
      400,
      'validation',
      title,
      shown.map((e) => `${e.path || '(body)'}: ${e.message}`).join('; ') + more,
      { errors: shown },
    );
    this.name = 'ValidationError';
  }
}

export class MalformedJsonError extends HttpProblem {
  constructor(reason: string) {
    super(400, 'malformed-json', 'Malformed JSON', `The request body is not valid JSON: ${reason}`, {
      errors: [{ path: '', pointer: '', message: reason }],
    });
    this.name = 'MalformedJsonError';
  }
}

/** A body whose bytes are not UTF-8: refused, never silently replaced by U+FFFD. */
export class InvalidEncodingError extends HttpProblem {
  constructor(reason: string) {
    super(400, 'invalid-encoding', 'Invalid encoding', `The request body must be UTF-8: ${reason}`, {
      errors: [{ path: '', pointer: '', message: reason }],
    });
    this.name = 'InvalidEncodingError';
  }
}

export class PayloadTooLargeError extends HttpProblem {
  constructor(path: string, size: number, limit: number, status: 400 | 413 = 413) {
    const what = path ? `${path} is` : 'The request body is';
    super(
      status,
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

export class UnauthorizedError extends HttpProblem {
  constructor(detail: string) {
    super(401, 'unauthorized', 'Unauthorized', detail, {
      headers: { 'www-authenticate': 'Bearer realm="stageflow", Basic realm="stageflow"' },
    });
    this.name = 'UnauthorizedError';
  }
}

export class ForbiddenError extends HttpProblem {
  constructor(detail: string) {
    super(403, 'forbidden', 'Forbidden', detail);
    this.name = 'ForbiddenError';
  }
}

export class NotFoundError extends HttpProblem {
  constructor(detail: string) {
    super(404, 'not-found', 'Not found', detail);
    this.name = 'NotFoundError';
  }
}

/** DELETE of `anon:<id>` when that anonymous id belongs to a user now: erase the user by their id. */
export class LinkedCustomerError extends HttpProblem {
  constructor(customerId: string, ownerId: string) {
    super(
      409,
      'linked-customer',
      'Linked to another customer',
      `${customerId} is linked to the customer ${ownerId}; DELETE /v1/customers/${encodeURIComponent(ownerId)} erases that customer with this anonymous id`,
    );
    this.name = 'LinkedCustomerError';
  }
}

export class TooManyRequestsError extends HttpProblem {
  constructor(retryAfterSeconds: number) {
    super(
      429,
      'too-many-requests',
      'Too many requests',
      `Rate limit exceeded; retry in ${retryAfterSeconds} s`,
      {
        headers: { 'retry-after': String(retryAfterSeconds) },
      },
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
export function fieldErrors(error: z.ZodError, prefix: readonly PropertyKey[] = []): FieldError[] {
  return error.issues.map((issue) => {
    const path = formatPath([...prefix, ...issue.path]);
    return { path, pointer: toPointer(path), message: issue.message };
  });
}
