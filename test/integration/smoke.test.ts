import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { api, testStack, uid } from '../support/local.js';

describe('Local stack: smoke', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await testStack('smoke');
  });
  afterAll(async () => stack.stop());

  it('answers /health without a key', async () => {
    const res = await api(stack, '')('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', service: 'stageflow' });
  });

  it('records a touchpoint and returns the stage', async () => {
    const userId = uid('u');
    const res = await api(stack)('POST', '/v1/touchpoints', {
      messageId: uid('m'),
      userId,
      event: 'Product Viewed',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      customerId: userId,
      stage: 'research',
      previousStage: null,
      changed: true,
      duplicate: false,
    });
  });
});
