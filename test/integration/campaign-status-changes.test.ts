import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { api, testStack } from '../support/local.js';

/**
 * A pause or an activation is its own history entry: versions are immutable definitions, so a
 * status change is recorded beside them, with who made it and when (the console's history).
 */
describe('Campaign status changes', () => {
  let stack: LocalStack;
  let admin: ReturnType<typeof api>;
  beforeAll(async () => {
    stack = await testStack('campaign-status');
    admin = api(stack, stack.keys.admin);
  });
  afterAll(async () => stack.stop());

  it('records every pause and activation with who and when, oldest first, and no new version', async () => {
    const created = await admin('POST', '/v1/campaigns', {
      name: 'Status history',
      flow: 'nurture',
      trigger: { type: 'stage', enters: ['research'] },
      steps: [{ wait: 'PT2H', template: 'nurture-research', category: 'marketing' }],
      exit: 'stage-left',
    });
    expect(created.status).toBe(201);
    const id = created.body.campaignId as string;
    const path = `/v1/campaigns/${id}/status-changes`;
    expect((await admin('GET', path)).body).toEqual({ campaignId: id, items: [] });

    const activated = await admin('POST', `/v1/campaigns/${id}/activate`);
    const paused = await admin('POST', `/v1/campaigns/${id}/pause`);
    // Pausing what is paused changes nothing, and records nothing.
    expect((await admin('POST', `/v1/campaigns/${id}/pause`)).status).toBe(200);
    const { body } = await admin('GET', path);
    const by = activated.body.updatedBy as string;
    expect(by).toMatch(/admin/);
    expect(body.items).toEqual([
      { at: activated.body.updatedAt, from: 'draft', to: 'active', by },
      { at: paused.body.updatedAt, from: 'active', to: 'paused', by },
    ]);
    // The definition's history is untouched: still one version, created by whoever created it.
    const head = (await admin('GET', `/v1/campaigns/${id}`)).body;
    expect(head.version).toBe(1);
    expect((await admin('GET', `/v1/campaigns/${id}?version=1`)).body.updatedAt).toBe(created.body.updatedAt);
  });

  it('answers 404 for an unknown campaign and lets a read key look', async () => {
    expect((await admin('GET', '/v1/campaigns/no-such-campaign/status-changes')).status).toBe(404);
    const key = await admin('POST', '/v1/keys', { name: 'Status viewer', scope: 'read' });
    const viewer = api(stack, key.body.key);
    expect((await viewer('GET', '/v1/campaigns/default-nurture-decide/status-changes')).status).toBe(200);
  });
});
