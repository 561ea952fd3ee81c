import { describe, expect, it } from 'vitest';
import { contractViolation, routeOf } from '../support/contract.js';

/** The check every integration response passes through (test/support/local.ts `api()`). */
describe('API contract check', () => {
  const ingested = {
    customerId: 'u-1',
    stage: 'research',
    previousStage: null,
    changed: true,
    duplicate: false,
  };

  it('finds the route a request path is served by', () => {
    expect(routeOf('get', '/v1/customers/u-1/touchpoints?limit=5')).toBe(
      'GET /v1/customers/{customerId}/touchpoints',
    );
    expect(routeOf('POST', '/v1/campaigns/c-1/pause')).toBe('POST /v1/campaigns/{campaignId}/pause');
    expect(routeOf('GET', '/v1/nothing-here')).toBeUndefined();
  });

  it('passes a response that keeps its schema', () => {
    expect(contractViolation('POST', '/v1/touchpoints', 200, 'application/json', ingested)).toBeNull();
    expect(contractViolation('DELETE', '/v1/customers/u-1', 204, null, undefined)).toBeNull();
  });

  it('fails a body that drifts from its schema, naming the field', () => {
    const { changed: _, ...drifted } = ingested;
    expect(contractViolation('POST', '/v1/touchpoints', 200, 'application/json', drifted)).toMatch(
      /POST \/v1\/touchpoints answered 200 with a body that breaks its schema/,
    );
    expect(
      contractViolation('GET', '/v1/customers/u-1/transitions', 200, 'application/json', {
        items: [{ to: 1 }],
      }),
    ).toMatch(/items\.0\.to/);
    expect(contractViolation('POST', '/v1/track', 200, 'application/json', { success: 'yes' })).toMatch(
      /success/,
    );
  });

  it('fails a status the operation does not document, and an error that is not problem+json', () => {
    expect(contractViolation('POST', '/v1/touchpoints', 201, 'application/json', ingested)).toMatch(
      /does not document/,
    );
    expect(contractViolation('GET', '/v1/customers/u-1', 404, 'application/json', { error: 'x' })).toMatch(
      /not problem\+json/,
    );
    expect(
      contractViolation('GET', '/v1/customers/u-1', 404, 'application/problem+json', {
        type: 'https://stageflow.dev/problems/not-found',
        title: 'Not found',
        status: 404,
      }),
    ).toBeNull();
  });
});
