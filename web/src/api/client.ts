import createClient, { type Middleware } from 'openapi-fetch';
import { clearSession, loadSession } from '../session';
import type { paths } from './schema';

/** What went wrong with a call, in the terms the pages show. */
export type ApiFailure =
  | { kind: 'unreachable' }
  | { kind: 'unauthorized' }
  | { kind: 'forbidden' }
  | { kind: 'not-found'; detail: string }
  | { kind: 'conflict'; detail: string }
  | { kind: 'problem'; status: number; detail: string; errors?: FieldProblem[] };

/** A problem+json field error: which member (`/globalControlPercent`) and why. */
export interface FieldProblem {
  pointer: string;
  message: string;
}

export class ApiError extends Error {
  constructor(readonly failure: ApiFailure) {
    super(failure.kind);
    this.name = 'ApiError';
  }
}

/** Called when the API says the key is no longer valid: the app goes back to sign-in. */
let onExpired: () => void = () => {};
export const whenSessionExpires = (callback: () => void) => {
  onExpired = callback;
};

const auth: Middleware = {
  onRequest({ request }) {
    const session = loadSession();
    if (session && !request.headers.has('authorization')) {
      request.headers.set('authorization', `Bearer ${session.key}`);
    }
    return request;
  },
  onResponse({ response, request }) {
    // A revoked or expired key: end the session, except while signing in (that page says why).
    if (response.status === 401 && !request.url.endsWith('/v1/keys/current')) {
      clearSession();
      onExpired();
    }
    return response;
  },
};

/** The one API client, typed from docs/openapi.json; same origin, so no CORS. */
export const api = createClient<paths>({ baseUrl: location.origin });
api.use(auth);

interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Unwraps an openapi-fetch call: the data, or an ApiError that says what happened (a network
 * failure is "unreachable", never a crash).
 */
export async function call<T>(request: () => Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await request();
  } catch {
    throw new ApiError({ kind: 'unreachable' });
  }
  const { response, data, error } = outcome;
  if (response.ok) return data as T;
  const detail = problemDetail(error) ?? response.statusText;
  if (response.status === 401) throw new ApiError({ kind: 'unauthorized' });
  if (response.status === 403) throw new ApiError({ kind: 'forbidden' });
  if (response.status === 404) throw new ApiError({ kind: 'not-found', detail });
  if (response.status === 409 || response.status === 412) throw new ApiError({ kind: 'conflict', detail });
  if (response.status >= 502 && response.status <= 504) throw new ApiError({ kind: 'unreachable' });
  throw new ApiError({ kind: 'problem', status: response.status, detail, errors: fieldProblems(error) });
}

/** The field errors a 400 names, so a form can show each next to its field. */
const fieldProblems = (error: unknown): FieldProblem[] | undefined => {
  const errors = (error as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return undefined;
  return errors.filter(
    (e): e is FieldProblem => typeof e?.pointer === 'string' && typeof e?.message === 'string',
  );
};

/** The message the API gave for one field (`/globalControlPercent`), if it named that field. */
export const fieldProblem = (error: unknown, pointer: string): string | undefined =>
  error instanceof ApiError && error.failure.kind === 'problem'
    ? error.failure.errors?.find((e) => e.pointer === pointer)?.message
    : undefined;

const problemDetail = (error: unknown): string | undefined => {
  if (error && typeof error === 'object') {
    const e = error as { detail?: unknown; title?: unknown };
    if (typeof e.detail === 'string' && e.detail) return e.detail;
    if (typeof e.title === 'string') return e.title;
  }
  return undefined;
};
