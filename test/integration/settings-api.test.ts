import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { api, testStack } from '../support/local.js';

/** GET/PATCH /v1/settings and GET /v1/analytics/global-control, end to end on the local stack. */
describe('Settings and the global control report', () => {
  let stack: LocalStack;
  let admin: ReturnType<typeof api>;
  let adminName: string;
  beforeAll(async () => {
    process.env.STAGEFLOW_AUTH_CACHE_MS = '0';
    stack = await testStack('settings');
    admin = api(stack, stack.keys.admin);
    adminName = (await admin('GET', '/v1/keys/current')).body.name;
    expect(adminName).toEqual(expect.any(String));
  });
  afterAll(async () => stack.stop());

  it('reads the defaults', async () => {
    const res = await admin('GET', '/v1/settings');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      globalControlPercent: 0,
      globalControlChange: null,
      marketing: { paused: false, reason: expect.any(String), since: null, alarms: {}, manual: null },
      tracking: 'on',
    });
  });

  it('sets the global control percentage within 0–15 and refuses anything else by name', async () => {
    const set = await admin('PATCH', '/v1/settings', { globalControlPercent: 7.5 });
    expect(set.status).toBe(200);
    expect(set.body.globalControlPercent).toBe(7.5);
    expect((await admin('GET', '/v1/settings')).body.globalControlPercent).toBe(7.5);
    // Every change records who made it: here the admin key's name.
    expect((await admin('GET', '/v1/settings')).body.globalControlChange).toEqual({
      at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      by: adminName,
    });

    for (const bad of [16, -1, '5']) {
      const res = await admin('PATCH', '/v1/settings', { globalControlPercent: bad });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(JSON.stringify(res.body)).toContain('globalControlPercent');
    }
    expect((await admin('GET', '/v1/settings')).body.globalControlPercent).toBe(7.5);

    // RFC 7396: null returns the member to its default.
    const reset = await admin(
      'PATCH',
      '/v1/settings',
      { globalControlPercent: null },
      {
        'content-type': 'application/merge-patch+json',
      },
    );
    expect(reset.status).toBe(200);
    expect(reset.body.globalControlPercent).toBe(0);
  });

  it('refuses to change the read-only tracking setting and unknown members', async () => {
    const res = await admin('PATCH', '/v1/settings', { tracking: 'off' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(res.body)).toContain('tracking');
    expect(JSON.stringify(res.body)).toContain('STAGEFLOW_TRACKING');
    const unknown = await admin('PATCH', '/v1/settings', { trackingg: 'off' });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('trackingg');
    expect((await admin('GET', '/v1/settings')).body.tracking).toBe('on');
  });

  it('pauses marketing by hand with its reason, and resumes it', async () => {
    const paused = await admin('PATCH', '/v1/settings', {
      marketing: { paused: true, reason: 'brand review' },
    });
    expect(paused.status).toBe(200);
    expect(paused.body.marketing).toMatchObject({
      paused: true,
      reason: expect.stringContaining('brand review'),
      manual: { paused: true, reason: 'brand review', at: expect.any(String), by: adminName },
    });
    const read = (await admin('GET', '/v1/settings')).body.marketing;
    expect(read.paused).toBe(true);
    expect(read.reason).toContain('brand review');

    const noPaused = await admin('PATCH', '/v1/settings', { marketing: { reason: 'why not' } });
    expect(noPaused.status).toBe(400);
    expect(JSON.stringify(noPaused.body)).toContain('marketing.paused');

    const resumed = await admin('PATCH', '/v1/settings', { marketing: { paused: false } });
    expect(resumed.status).toBe(200);
    expect(resumed.body.marketing).toMatchObject({ paused: false, manual: { paused: false, by: adminName } });
    expect((await admin('GET', '/v1/settings')).body.marketing.paused).toBe(false);
  });

  it('lets a read key GET the settings and the report but not PATCH, and an ingest key neither', async () => {
    const created = await admin('POST', '/v1/keys', { name: 'settings-viewer', scope: 'read' });
    expect(created.status).toBe(201);
    const viewer = api(stack, created.body.key);
    expect((await viewer('GET', '/v1/settings')).status).toBe(200);
    expect((await viewer('GET', '/v1/analytics/global-control')).status).toBe(200);
    const refused = await viewer('PATCH', '/v1/settings', { globalControlPercent: 15 });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect((await admin('GET', '/v1/settings')).body.globalControlPercent).toBe(0);

    const ingest = api(stack);
    expect((await ingest('GET', '/v1/settings')).status).toBe(403);
    expect((await ingest('PATCH', '/v1/settings', { globalControlPercent: 1 })).status).toBe(403);
  });

  it('answers the global control report in its documented shape, and 400 for bad days', async () => {
    const res = await admin('GET', '/v1/analytics/global-control?from=2026-01-01&to=2026-02-01');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      windowDays: 30,
      purchase: {
        treatment: { customers: 0, converted: 0, rate: null },
        control: { customers: 0, converted: 0, rate: null },
        significant: null,
      },
      revenuePerCustomer: {},
      asOf: expect.any(String),
      lagSeconds: expect.any(Number),
    });

    for (const [query, field] of [
      ['from=2026-13-01', 'from'],
      ['to=yesterday', 'to'],
      ['from=2026-02-01&to=2026-01-01', 'to'],
      ['since=2026-01-01', 'since'],
    ]) {
      const bad = await admin('GET', `/v1/analytics/global-control?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.headers.get('content-type')).toContain('application/problem+json');
      expect(JSON.stringify(bad.body), query).toContain(field);
    }
  });
});
