import type { HttpResult } from '../http/middleware.js';
import { json } from '../http/middleware.js';
import { toProblem } from '../http/problem.js';
import {
  type FieldError,
  fieldErrors,
  MAX_ERRORS,
  PayloadTooLargeError,
  type StageflowError,
  ValidationError,
} from '../shared/errors.js';
import { issueErrors, type JsonIssue } from '../shared/json-values.js';
import {
  DependencyUnavailableError,
  SAFE_TO_RETRY_DETAIL,
  TRANSIENT_RETRY_AFTER_SECONDS,
} from '../shared/transient.js';
import {
  LIMITS,
  type ParseResult,
  parseTouchpoint,
  SegmentBatch,
  type SegmentType,
  segmentTypeOf,
  type Touchpoint,
  TouchpointBatchInput,
} from '../touchpoints/index.js';
import type {
  BatchItemResultBody,
  BatchResultBody,
  BatchUnavailableBody,
  IngestResultBody,
  SegmentBatchResultBody,
  SegmentSuccessBody,
} from './http-schemas.js';
import type { IngestTouchpoints } from './ingest-touchpoints.js';

/** Which ingest route a request came through. */
export type IngestRoute = 'touchpoints' | 'batch' | Exclude<SegmentType, 'group'> | 'group';

const ROUTE_BY_PATH: Record<string, IngestRoute> = {
  '/v1/touchpoints': 'touchpoints',
  '/v1/track': 'track',
  '/v1/identify': 'identify',
  '/v1/alias': 'alias',
  '/v1/page': 'page',
  '/v1/screen': 'screen',
  '/v1/group': 'group',
  '/v1/batch': 'batch',
  '/v1/import': 'batch',
};

export const ingestRouteOf = (path: string): IngestRoute | undefined =>
  ROUTE_BY_PATH[path.replace(/\/+$/, '')];

/** Segment routes answer oversize and malformed requests with 400, as Segment does. */
export const isSegmentRoute = (route: IngestRoute | undefined) =>
  route !== undefined && route !== 'touchpoints';

/** One item's line in a batch answer, typed from the route's contract (http-schemas.ts). */
export type BatchItemResult = BatchItemResultBody;

const describe = (errors: FieldError[]) => errors.map((e) => `${e.path}: ${e.message}`).join('; ');

const rejection = (result: Extract<ParseResult, { ok: false }>): BatchItemResult['error'] => ({
  status: result.status,
  title: result.status === 413 ? 'Payload too large' : 'Invalid touchpoint',
  detail: describe(result.errors),
  errors: result.errors,
});

/**
 * Runs one ingest request: validates every item, stores the good ones, reports each. `issues`
 * are the values the strict JSON parser refused (jsonBody, lib/http/json-input.ts): one inside
 * a batch item rejects that item only, any other the whole request.
 */
export async function ingestRequest(
  route: IngestRoute,
  body: unknown,
  useCase: Pick<IngestTouchpoints, 'execute'>,
  receivedAt: Date,
  issues: readonly JsonIssue[] = [],
): Promise<HttpResult> {
  const segment = isSegmentRoute(route);
  const isBatch =
    route === 'batch' ||
    (route === 'touchpoints' && body !== null && typeof body === 'object' && 'batch' in (body as object));

  const itemIssues = new Map<number, JsonIssue[]>();
  const requestIssues: JsonIssue[] = [];
  for (const issue of issues) {
    const [first, index] = issue.path;
    if (isBatch && first === 'batch' && typeof index === 'number') {
      itemIssues.set(index, [...(itemIssues.get(index) ?? []), issue]);
    } else requestIssues.push(issue);
  }
  if (requestIssues.length > 0) {
    throw new ValidationError(issueErrors(requestIssues), isBatch ? 'Invalid batch' : 'Invalid touchpoint');
  }

  if (!isBatch) {
    const format = route === 'touchpoints' ? 'stageflow' : (route as SegmentType);
    const parsed = parseTouchpoint(body, format, { receivedAt });
    if (!parsed.ok) {
      if (parsed.status === 413) throw oversize(body, segment);
      throw new ValidationError(parsed.errors, 'Invalid touchpoint');
    }
    // A transient failure is thrown and becomes a 503 at the edge (lib/http/middleware.ts).
    const [result] = await useCase.execute([parsed.touchpoint]);
    if (segment) return json(200, { success: true } satisfies SegmentSuccessBody);
    return json(200, {
      customerId: result.customerId,
      stage: result.stage,
      previousStage: result.previousStage,
      changed: result.changed,
      duplicate: result.status === 'duplicate',
    } satisfies IngestResultBody);
  }

  const envelope = (route === 'batch' ? SegmentBatch : TouchpointBatchInput).safeParse(body);
  if (!envelope.success) throw new ValidationError(fieldErrors(envelope.error), 'Invalid batch');
  const items = envelope.data.batch;
  const sharedContext =
    route === 'batch' ? (envelope.data as { context?: Record<string, unknown> }).context : undefined;

  const results: BatchItemResult[] = [];
  const good: { index: number; touchpoint: Touchpoint }[] = [];
  items.forEach((raw, index) => {
    const prefix = ['batch', index] as const;
    const refused = itemIssues.get(index);
    if (refused) {
      const errors = issueErrors(refused).slice(0, MAX_ERRORS);
      results[index] = {
        index,
        messageId: messageIdOf(raw),
        status: 'rejected',
        error: { status: 400, title: 'Invalid touchpoint', detail: describe(errors), errors },
      };
      return;
    }
    let format: 'stageflow' | SegmentType = 'stageflow';
    let item = raw;
    if (route === 'batch') {
      const type = segmentTypeOf(raw, prefix);
      if (typeof type !== 'string') {
        results[index] = {
          index,
          messageId: messageIdOf(raw),
          status: 'rejected',
          error: {
            status: 400,
            title: 'Invalid touchpoint',
            detail: `${type.path}: ${type.message}`,
            errors: [type],
          },
        };
        return;
      }
      format = type;
      if (sharedContext && raw && typeof raw === 'object') {
        const own = (raw as { context?: Record<string, unknown> }).context;
        item = { ...(raw as object), context: { ...sharedContext, ...own } };
      }
    }
    const parsed = parseTouchpoint(item, format, { prefix, receivedAt });
    if (parsed.ok) good.push({ index, touchpoint: parsed.touchpoint });
    else
      results[index] = {
        index,
        messageId: parsed.messageId ?? null,
        status: 'rejected',
        error: rejection(parsed),
      };
  });

  const ingested = await useCase.execute(
    good.map((g) => g.touchpoint),
    { partial: true },
  );
  good.forEach((g, i) => {
    const { status } = ingested[i];
    // `skipped` only comes of onlyExistingCustomers, which the API never asks for.
    if (status === 'skipped') throw new Error(`touchpoint ${g.touchpoint.messageId} was skipped`);
    results[g.index] =
      status === 'failed'
        ? { index: g.index, messageId: g.touchpoint.messageId, status, error: RETRYABLE }
        : { index: g.index, messageId: g.touchpoint.messageId, status };
  });
  const summary = {
    accepted: results.filter((r) => r.status === 'accepted').length,
    duplicate: results.filter((r) => r.status === 'duplicate').length,
    rejected: results.filter((r) => r.status === 'rejected').length,
    failed: results.filter((r) => r.status === 'failed').length,
  };
  if (summary.failed > 0) return partlyUnavailable(summary, results);
  const answer: BatchResultBody | SegmentBatchResultBody = segment
    ? { success: true, ...summary, results }
    : { ...summary, results };
  return json(200, answer);
}

/** The line of an item a transient dependency failure hit: resend it (or the whole batch). */
const RETRYABLE: NonNullable<BatchItemResult['error']> = {
  status: 503,
  title: 'Service temporarily unavailable',
  detail: SAFE_TO_RETRY_DETAIL,
  errors: [],
};

/**
 * A batch some of whose items a transient failure hit: 503 with Retry-After, so a client that
 * reads only the status (Segment's libraries retry a 5xx) resends the batch, which is safe since
 * what was stored comes back as duplicates; the per-item results (RFC 9457 extension members)
 * let a client that reads them resend only the `failed` items. The stored items stay stored.
 */
function partlyUnavailable(
  summary: Omit<BatchResultBody, 'results'>,
  results: BatchItemResult[],
): HttpResult {
  const error = new DependencyUnavailableError();
  const body: BatchUnavailableBody = {
    ...toProblem(error),
    detail: `${summary.failed} of ${results.length} items were not stored. ${SAFE_TO_RETRY_DETAIL}`,
    ...summary,
    results,
  };
  return {
    statusCode: 503,
    headers: {
      'content-type': 'application/problem+json',
      'retry-after': String(TRANSIENT_RETRY_AFTER_SECONDS),
    },
    body: JSON.stringify(body),
  };
}

function oversize(body: unknown, segment: boolean): StageflowError {
  const size = Buffer.byteLength(JSON.stringify(body), 'utf8');
  return new PayloadTooLargeError('', size, LIMITS.eventBytes, segment);
}

const messageIdOf = (raw: unknown): string | null =>
  raw && typeof raw === 'object' && typeof (raw as { messageId?: unknown }).messageId === 'string'
    ? (raw as { messageId: string }).messageId
    : null;
