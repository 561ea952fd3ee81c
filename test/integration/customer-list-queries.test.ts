import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { api, testStack } from '../support/local.js';

/**
 * GET /v1/customers?stalledAfterDays=: every bad value is a 400 problem+json that names the
 * parameter and says exactly why, through the real route (the HTTP edge's problem mapping).
 */

let stack: LocalStack;
let admin: ReturnType<typeof api>;

beforeAll(async () => {
  stack = await testStack('customer-list-queries');
  admin = api(stack, stack.keys.admin);
}, 120_000);
afterAll(async () => stack?.stop());

const ONE_FILTER = 'only one of stage, channel, campaign, email per request';

describe('GET /v1/customers?stalledAfterDays=', () => {
  it.each([
    ['a word', 'stage=decide&stalledAfterDays=two', 'must be a whole number of days from 1 to 3650'],
    ['a fraction', 'stage=decide&stalledAfterDays=1.5', 'must be a whole number of days from 1 to 3650'],
    ['zero', 'stage=decide&stalledAfterDays=0', 'must be a whole number of days from 1 to 3650'],
    [
      'a negative number',
      'stage=decide&stalledAfterDays=-3',
      'must be a whole number of days from 1 to 3650',
    ],
    ['an empty value', 'stage=decide&stalledAfterDays=', 'must be a whole number of days from 1 to 3650'],
    [
      'more than ten years',
      'stage=decide&stalledAfterDays=3651',
      'must be a whole number of days from 1 to 3650',
    ],
    ['no stage', 'stalledAfterDays=2', 'needs stage: only a stage has stalled customers'],
    [
      'another filter instead of stage',
      'channel=direct&stalledAfterDays=2',
      'needs stage: only a stage has stalled customers',
    ],
    [
      'an email instead of stage',
      'email=a%40shop.example&stalledAfterDays=14',
      'needs stage: only a stage has stalled customers',
    ],
  ])('refuses %s with a 400 naming stalledAfterDays and the reason', async (_, query, reason) => {
    // Act
    const res = await admin('GET', `/v1/customers?${query}`);

    // Assess
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({
      status: 400,
      title: 'Invalid query',
      detail: `stalledAfterDays: ${reason}`,
      errors: [{ path: 'stalledAfterDays', pointer: '/stalledAfterDays', message: reason }],
    });
  });

  it('refuses stage with another filter beside stalledAfterDays by naming both filters, not the days', async () => {
    // Act
    const res = await admin('GET', '/v1/customers?stage=decide&channel=direct&stalledAfterDays=2');

    // Assess
    const message = `${ONE_FILTER} (got stage and channel)`;
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({
      title: 'Invalid query',
      detail: `stage: ${message}; channel: ${message}`,
      errors: [
        { path: 'stage', pointer: '/stage', message },
        { path: 'channel', pointer: '/channel', message },
      ],
    });
  });
});
