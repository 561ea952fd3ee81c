import {
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ThrottlingException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { type HttpEvent, problemResponses, resendSafety } from '../../lib/http/middleware.js';
import { ingestRequest } from '../../lib/ingest/http-ingest.js';
import { IngestTouchpoints, StoreExhaustedError } from '../../lib/ingest/ingest-touchpoints.js';
import { defaultModel } from '../../lib/journey/index.js';
import { NotFoundError, ValidationError } from '../../lib/shared/errors.js';
import { DependencyUnavailableError, isTransientDependencyError } from '../../lib/shared/transient.js';
import { contractViolation } from '../support/contract.js';
import { MemoryJourneyStore } from '../support/memory-journey-store.js';

/**
 * A dependency that hiccups (DynamoDB throttling, a lock or transaction conflict, a timeout, a
 * dropped connection) is a 503 the client may safely resend, never a 500; in a batch only the
 * items it hit are marked, and the others stay stored.
 */

const meta = { $metadata: {} };
const sdk = {
  throttling: new ThrottlingException({ message: 'slow down', ...meta }),
  conflict: new TransactionConflictException({ message: 'conflict', ...meta }),
  throughput: new ProvisionedThroughputExceededException({ message: 'too much', ...meta }),
  requestLimit: new RequestLimitExceeded({ message: 'limit', ...meta }),
  internal: new InternalServerError({ message: 'lock timeout', ...meta }),
};
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'cancelled',
    ...meta,
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
const withCode = (code: string) => Object.assign(new Error(`socket ${code}`), { code });
const named = (name: string) => Object.assign(new Error(name), { name });

describe('isTransientDependencyError', () => {
  it.each([
    ['ThrottlingException', sdk.throttling],
    ['TransactionConflictException', sdk.conflict],
    ['ProvisionedThroughputExceededException', sdk.throughput],
    ['RequestLimitExceeded', sdk.requestLimit],
    ['InternalServerError (a lock timeout in DynamoDB Local)', sdk.internal],
    ['a transaction cancelled by a conflict', cancelled('None', 'TransactionConflict')],
    ['a transaction cancelled by throttling', cancelled('ThrottlingError', 'None')],
    ['the SDK timing out', named('TimeoutError')],
    ['ECONNRESET', withCode('ECONNRESET')],
    ['ETIMEDOUT', withCode('ETIMEDOUT')],
    ['a 503 from any SDK', Object.assign(new Error('x'), { $metadata: { httpStatusCode: 503 } })],
    ['a retryable SDK error', Object.assign(new Error('x'), { $retryable: { throttling: true } })],
    ['the commit loop giving up on a hot customer', new StoreExhaustedError('u-1')],
    ['one wrapped in a cause', new Error('commit failed', { cause: sdk.throttling })],
    ['one in an AggregateError', new AggregateError([new Error('no'), withCode('EPIPE')])],
  ])('%s is transient', (_, error) => {
    expect(isTransientDependencyError(error)).toBe(true);
  });

  it.each([
    ['a failed condition', cancelled('ConditionalCheckFailed', 'None')],
    ['a condition beside a conflict', cancelled('ConditionalCheckFailed', 'TransactionConflict')],
    ['a validation error', named('ValidationException')],
    ['an SES quota (the most templates an account may have)', named('LimitExceededException')],
    ['a missing table', named('ResourceNotFoundException')],
    ['an access denial', named('AccessDeniedException')],
    ['a bug', new TypeError('x is undefined')],
    ['a client error', new ValidationError([])],
    ['a 404', new NotFoundError('no')],
    ['a string', 'ECONNRESET'],
    ['nothing', undefined],
  ])('%s is not', (_, error) => {
    expect(isTransientDependencyError(error)).toBe(false);
  });
});

describe('the HTTP edge', () => {
  const respond = async (error: unknown, routeKey = 'POST /v1/import') => {
    const logged: string[] = [];
    const middleware = problemResponses({
      error: (m) => logged.push(`error ${m}`),
      warn: (m) => logged.push(`warn ${m}`),
    });
    const rawPath = routeKey.split(' ')[1].replace('{campaignId}', 'c-1');
    const request = { error, event: { routeKey, rawPath } as HttpEvent, response: undefined } as never;
    await middleware.onError!(request);
    const response = (
      request as { response: { statusCode: number; headers: Record<string, string>; body: string } }
    ).response;
    return { ...response, body: JSON.parse(response.body), logged };
  };

  it('answers a transient dependency failure with 503, Retry-After and a safe-to-retry problem', async () => {
    for (const error of [sdk.throttling, cancelled('TransactionConflict'), withCode('ECONNRESET')]) {
      const res = await respond(error);
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toBe('application/problem+json');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.body).toMatchObject({
        type: 'https://stageflow.dev/problems/dependency-unavailable',
        status: 503,
        instance: '/v1/import',
      });
      expect(res.body.detail).toMatch(/safe to resend/);
      // Nothing of the SDK's message reaches the client; the log has it, as a warning.
      expect(JSON.stringify(res.body)).not.toMatch(/slow down|socket/);
      expect(res.logged).toEqual(['warn request failed transiently']);
    }
  });

  it('says a resend is safe only where it is: ingest and GET/PUT/PATCH/DELETE, not a POST that creates', async () => {
    for (const route of [
      'POST /v1/track',
      'POST /v1/batch',
      'PUT /v1/campaigns/{campaignId}',
      'DELETE /v1/keys/{keyId}',
    ]) {
      expect((await respond(sdk.throttling, route)).body.detail, route).toMatch(/safe to resend/);
    }
    for (const route of ['POST /v1/campaigns', 'POST /v1/keys', 'POST /v1/templates/{name}/test-send']) {
      const res = await respond(sdk.throttling, route);
      expect(res.statusCode).toBe(503);
      expect(res.body.detail, route).not.toMatch(/safe to resend/);
      expect(res.body.detail, route).toMatch(/may have been applied\. Check whether it was/);
    }
  });

  it('reads the method and path of an event without a route key (cautious when unknown)', () => {
    const event = (method: string, rawPath: string) =>
      ({ rawPath, requestContext: { http: { method } } }) as unknown as HttpEvent;
    expect(resendSafety(event('POST', '/v1/touchpoints/'))).toBe('ingest');
    expect(resendSafety(event('PATCH', '/v1/settings'))).toBe('idempotent');
    expect(resendSafety(event('POST', '/v1/campaigns'))).toBe('unsafe');
    expect(resendSafety(undefined)).toBe('unsafe');
  });

  it('answers as documented: a plain problem on any route, and on the batch routes too', async () => {
    const res = await respond(sdk.throttling);
    for (const route of ['/v1/touchpoints', '/v1/import', '/v1/track']) {
      expect(contractViolation('POST', route, 503, 'application/problem+json', res.body)).toBeNull();
    }
    expect(
      contractViolation('GET', '/v1/customers/u-1', 503, 'application/problem+json', res.body),
    ).toBeNull();
  });

  it('keeps anything else a 500 that says nothing', async () => {
    const res = await respond(new TypeError('x is undefined'));
    expect(res.statusCode).toBe(500);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(res.body.detail).not.toMatch(/undefined/);
    expect(res.logged).toEqual(['error request failed']);
    expect((await respond(cancelled('ConditionalCheckFailed'))).statusCode).toBe(500);
  });
});

describe('ingest with a store that throttles one customer', () => {
  const T0 = Date.parse('2026-05-01T10:00:00Z');
  const track = (userId: string, messageId: string) => ({
    type: 'track',
    userId,
    messageId,
    event: 'Product Viewed',
    timestamp: new Date(T0).toISOString(),
  });
  /** Throws `fault` on every commit for `customerId` while `failing` is true. */
  const faultyStore = (customerId: string, fault: unknown) => {
    const state = { failing: true };
    const store = new MemoryJourneyStore({
      beforeCommit: (commit) => {
        if (state.failing && commit.customerId === customerId) throw fault;
      },
    });
    return { store, state, ingest: new IngestTouchpoints(store, defaultModel, () => new Date(T0)) };
  };

  it('stores the other customers, marks only the hit items failed, and a resend completes it', async () => {
    const { store, state, ingest } = faultyStore('u-hot', sdk.throughput);
    const body = {
      batch: [track('u-ok', 'm-1'), track('u-hot', 'm-2'), { type: 'track' }, track('u-ok2', 'm-3')],
    };
    const first = await ingestRequest('batch', body, ingest, new Date(T0));
    expect(first.statusCode).toBe(503);
    expect(first.headers?.['retry-after']).toBe('2');
    expect(first.headers?.['content-type']).toBe('application/problem+json');
    const answer = JSON.parse(first.body as string);
    expect(answer).toMatchObject({
      type: 'https://stageflow.dev/problems/dependency-unavailable',
      status: 503,
      accepted: 2,
      duplicate: 0,
      rejected: 1,
      failed: 1,
    });
    expect(answer.results.map((r: { status: string }) => r.status)).toEqual([
      'accepted',
      'failed',
      'rejected',
      'accepted',
    ]);
    expect(answer.results[1]).toMatchObject({ messageId: 'm-2', error: { status: 503 } });
    expect(contractViolation('POST', '/v1/import', 503, 'application/problem+json', answer)).toBeNull();
    expect(store.partitions.get('u-ok')?.profile).not.toBeNull();
    expect(store.partitions.get('u-hot')?.profile ?? null).toBeNull();

    // The client resends the whole batch once the store recovers: nothing is stored twice.
    state.failing = false;
    const again = await ingestRequest('batch', body, ingest, new Date(T0));
    expect(again.statusCode).toBe(200);
    expect(JSON.parse(again.body as string)).toMatchObject({
      accepted: 1,
      duplicate: 2,
      rejected: 1,
      failed: 0,
    });
    expect(store.partitions.get('u-hot')?.touchpoints.size).toBe(1);
  });

  // A cancelled transaction never leaves the DynamoDB adapter as such when it is contention (it
  // becomes a 'conflict' the commit loop retries): test/integration/dependency-faults.test.ts.
  it('throws a single touchpoint’s failure for the edge to answer 503', async () => {
    const { ingest } = faultyStore('u-hot', sdk.throttling);
    const failure = await ingestRequest('track', track('u-hot', 'm-9'), ingest, new Date(T0)).catch((e) => e);
    expect(isTransientDependencyError(failure)).toBe(true);
  });

  it('throws a failure that is not transient, batch or not (a bug stays a 500)', async () => {
    const { ingest } = faultyStore('u-hot', new TypeError('bug'));
    const body = { batch: [track('u-ok', 'm-1'), track('u-hot', 'm-2')] };
    await expect(ingestRequest('batch', body, ingest, new Date(T0))).rejects.toThrow(TypeError);
  });

  it('is a StageflowError the edge shows', () => {
    const error = new DependencyUnavailableError();
    expect(error).toMatchObject({ kind: 'unavailable', expose: true, retryAfterSeconds: 2 });
  });
});
