import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CAMPAIGNS, SEEDED_BY } from '../../lib/campaigns/defaults.js';
import { messaging } from '../../lib/runtime/messaging.js';
import type { LocalStack } from '../../local/stack.js';
import { api, testStack } from '../support/local.js';

const draft = (overrides: Record<string, unknown> = {}) => ({
  name: 'Spring nurture',
  flow: 'nurture',
  trigger: { type: 'stage', enters: ['research'] },
  steps: [{ wait: 'PT2H', template: 'nurture-research', category: 'marketing' }],
  exit: 'stage-left',
  ...overrides,
});

describe('Campaigns API', () => {
  let stack: LocalStack;
  let admin: ReturnType<typeof api>;
  beforeAll(async () => {
    stack = await testStack('campaigns');
    admin = api(stack, stack.keys.admin);
  });
  afterAll(async () => stack.stop());

  it('lists the default campaigns, all active, seeded at start', async () => {
    const res = await admin('GET', '/v1/campaigns');
    expect(res.status).toBe(200);
    const ids = res.body.items.map((c: { campaignId: string }) => c.campaignId);
    expect(ids).toEqual(expect.arrayContaining(DEFAULT_CAMPAIGNS.map((c) => c.campaignId)));
    for (const c of res.body.items) expect(c.status).toBe('active');
    // The history names the seeder as who made them (the console shows "Stageflow defaults").
    for (const c of res.body.items) expect(c.updatedBy).toBe(SEEDED_BY);
  });

  it('answers 403 to an ingest key and 401 to no key on admin routes', async () => {
    expect((await api(stack)('GET', '/v1/campaigns')).status).toBe(403);
    expect((await api(stack)('POST', '/v1/campaigns', draft())).status).toBe(403);
    expect((await api(stack, '')('GET', '/v1/templates')).status).toBe(401);
  });

  it('creates a draft as version 1, converting an ISO 8601 wait', async () => {
    const res = await admin('POST', '/v1/campaigns', draft());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ version: 1, status: 'draft', flow: 'nurture', holdoutPercent: 0 });
    expect(res.body.steps[0].wait).toEqual({ hours: 2 });
    expect(res.headers.get('location')).toBe(`/v1/campaigns/${res.body.campaignId}`);
    expect(res.headers.get('etag')).toBe('"1"');
  });

  it('refuses an invalid campaign with problem+json naming every field', async () => {
    const res = await admin(
      'POST',
      '/v1/campaigns',
      draft({
        name: '',
        trigger: { type: 'stage', enters: ['act'] },
        steps: [{ template: 'no-such-template', category: 'transactional' }],
        holdoutPercent: 150,
      }),
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(['name', 'holdoutPercent', 'trigger.enters[0]', 'steps[0].category']),
    );
  });

  it('refuses a step whose template does not exist', async () => {
    const res = await admin(
      'POST',
      '/v1/campaigns',
      draft({ steps: [{ template: 'no-such-template', category: 'marketing' }] }),
    );
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: 'steps[0].template', pointer: '/steps/0/template' }),
    ]);
  });

  it('keeps every version: PUT adds one, ?version=n reads an old one, a stale If-Match gets 412', async () => {
    const created = (await admin('POST', '/v1/campaigns', draft())).body;
    const path = `/v1/campaigns/${created.campaignId}`;
    const updated = await admin(
      'PUT',
      path,
      draft({
        name: 'Spring nurture, longer wait',
        steps: [{ wait: { days: 1 }, template: 'nurture-research', category: 'marketing' }],
      }),
      { 'if-match': '"1"' },
    );
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ version: 2, name: 'Spring nurture, longer wait' });

    expect((await admin('GET', path)).body).toMatchObject({ version: 2, steps: [{ wait: { days: 1 } }] });
    expect((await admin('GET', `${path}?version=1`)).body).toMatchObject({
      version: 1,
      name: 'Spring nurture',
    });
    expect((await admin('GET', `${path}?version=3`)).status).toBe(404);
    expect((await admin('PUT', path, draft(), { 'if-match': '"1"' })).status).toBe(412);
  });

  it('activates and pauses, refuses to pause a draft, and filters by flow and status', async () => {
    const created = (await admin('POST', '/v1/campaigns', draft())).body;
    const path = `/v1/campaigns/${created.campaignId}`;
    const pauseDraft = await admin('POST', `${path}/pause`);
    expect(pauseDraft.status).toBe(409);
    expect(pauseDraft.headers.get('content-type')).toContain('application/problem+json');

    expect((await admin('POST', `${path}/activate`)).body.status).toBe('active');
    expect((await admin('POST', `${path}/activate`)).status).toBe(200);
    const active = (await admin('GET', '/v1/campaigns?flow=nurture&status=active')).body.items;
    expect(active.map((c: { campaignId: string }) => c.campaignId)).toContain(created.campaignId);

    const pausedNow = (await admin('POST', `${path}/pause`)).body;
    expect(pausedNow.status).toBe('paused');
    // The head says when it was paused; version 1 asked by number keeps when it was made.
    expect((await admin('GET', path)).body.updatedAt).toBe(pausedNow.updatedAt);
    const v1 = (await admin('GET', `${path}?version=1`)).body;
    expect(v1).toMatchObject({ version: 1, status: 'paused', updatedAt: created.updatedAt });
    expect(v1.updatedAt).not.toBe(pausedNow.updatedAt);
    const paused = (await admin('GET', '/v1/campaigns?status=paused')).body.items;
    expect(paused.map((c: { campaignId: string }) => c.campaignId)).toEqual([created.campaignId]);
    expect((await admin('GET', '/v1/campaigns?flow=newsletter')).status).toBe(400);
  });

  it('gives the flows the active campaigns and the exact version a run started with', async () => {
    const created = (await admin('POST', '/v1/campaigns', { ...draft(), status: 'active' })).body;
    const { campaigns } = messaging();
    expect((await campaigns.activeCampaigns('nurture')).map((c) => c.campaignId)).toContain(
      created.campaignId,
    );
    expect((await campaigns.activeCampaigns('thank-you')).map((c) => c.campaignId)).toEqual([
      'default-thank-you',
    ]);

    await admin('PUT', `/v1/campaigns/${created.campaignId}`, draft({ name: 'v2' }));
    const v1 = await campaigns.campaignVersion(created.campaignId, 1);
    expect(v1).toMatchObject({ live: true, campaign: { version: 1, name: 'Spring nurture' } });

    expect((await admin('DELETE', `/v1/campaigns/${created.campaignId}`)).status).toBe(204);
    expect((await admin('GET', `/v1/campaigns/${created.campaignId}`)).status).toBe(404);
    expect((await admin('DELETE', `/v1/campaigns/${created.campaignId}`)).status).toBe(404);
    expect(await campaigns.campaignVersion(created.campaignId, 1)).toMatchObject({ live: false });
    expect((await campaigns.activeCampaigns('nurture')).map((c) => c.campaignId)).not.toContain(
      created.campaignId,
    );
  });

  // Issue 10: the GET answer was a 400 `Unrecognized keys: "campaignId","version",…` on PUT.
  it('accepts what GET answers on PUT unchanged, ignoring the read-only fields', async () => {
    const created = (await admin('POST', '/v1/campaigns', draft())).body;
    const path = `/v1/campaigns/${created.campaignId}`;
    const read = await admin('GET', path);

    const put = await admin('PUT', path, read.body, { 'if-match': read.headers.get('etag')! });

    expect(put.status).toBe(200);
    expect(put.body).toEqual({ ...read.body, version: 2, updatedAt: put.body.updatedAt });
    // Read-only fields are ignored, not obeyed: status, version and id stay the server's.
    const ignored = await admin('PUT', path, {
      ...put.body,
      campaignId: 'cmp_other',
      version: 99,
      status: 'active',
      createdAt: '2000-01-01T00:00:00.000Z',
    });
    expect(ignored.body).toMatchObject({ campaignId: created.campaignId, version: 3, status: 'draft' });
    expect(ignored.body.createdAt).toBe(created.createdAt);
    // A GET answer also creates a copy with POST.
    const copy = await admin('POST', '/v1/campaigns', read.body);
    expect(copy.status).toBe(201);
    expect(copy.body.campaignId).not.toBe(created.campaignId);
    expect(copy.body).toMatchObject({ version: 1, status: 'draft', name: read.body.name });
  });

  it('PATCH changes only what a JSON merge patch names, as a new version', async () => {
    const created = (
      await admin(
        'POST',
        '/v1/campaigns',
        draft({ audience: { channels: ['instagram'] }, holdoutPercent: 10 }),
      )
    ).body;
    const path = `/v1/campaigns/${created.campaignId}`;
    const patch = (body: unknown, headers: Record<string, string> = {}) =>
      admin('PATCH', path, body, { 'content-type': 'application/merge-patch+json', ...headers });

    const renamed = await patch({ name: 'Renamed', campaignId: 'ignored' }, { 'if-match': '"1"' });
    expect(renamed.status).toBe(200);
    expect(renamed.headers.get('etag')).toBe('"2"');
    expect(renamed.body).toEqual({
      ...created,
      name: 'Renamed',
      version: 2,
      updatedAt: renamed.body.updatedAt,
    });
    // null removes a member: the audience and holdout return to their defaults.
    const reset = await patch({ audience: null, holdoutPercent: null, exit: 'none' });
    expect(reset.body).toMatchObject({ version: 3, audience: {}, holdoutPercent: 0, exit: 'none' });
    // Objects merge; application/json is read the same way.
    const merged = await admin('PATCH', path, { audience: { utmCampaigns: ['spring'] } });
    expect(merged.body.audience).toEqual({ utmCampaigns: ['spring'] });
    expect((await admin('GET', `${path}?version=2`)).body.name).toBe('Renamed');

    // Validated after the merge, like a PUT; nothing stored when it fails.
    const invalid = await patch({ steps: [{ template: 'nurture-research', category: 'transactional' }] });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e: { path: string }) => e.path)).toEqual(['steps[0].category']);
    expect((await patch({ name: null })).status).toBe(400);
    expect((await patch({ name: 'late' }, { 'if-match': '"1"' })).status).toBe(412);
    const wrongType = await admin('PATCH', path, 'name=x', { 'content-type': 'text/plain' });
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers.get('accept-patch')).toBe('application/merge-patch+json, application/json');
    expect((await admin('GET', path)).body.version).toBe(4);
    expect((await admin('PATCH', '/v1/campaigns/cmp_none', {})).status).toBe(404);
  });

  // Issue 10: decodeURIComponent on the already decoded `100%` threw, and the answer was a 500.
  it('answers ids holding a % and malformed escapes with problems, never a 500', async () => {
    for (const [path, status] of [
      ['/v1/campaigns/100%25', 404],
      ['/v1/campaigns/100%25/activate', 404],
      ['/v1/campaigns/%E0%A4%A', 400],
      ['/v1/campaigns/%', 400],
      ['/v1/templates/100%25', 400],
      ['/v1/templates/%ZZ', 400],
      ['/v1/customers/100%25', 404],
      ['/v1/customers/%E0%A4%A/touchpoints', 400],
      [`/v1/campaigns/${'x'.repeat(2000)}`, 400],
    ] as const) {
      const method = path.endsWith('/activate') ? 'POST' : 'GET';
      const res = await admin(method, path);
      expect([path, res.status]).toEqual([path, status]);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await admin('DELETE', '/v1/campaigns/100%25')).status).toBe(404);
    expect((await admin('PUT', '/v1/campaigns/100%25', draft())).status).toBe(404);
  });
});
