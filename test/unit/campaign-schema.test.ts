import { describe, expect, it } from 'vitest';
import { CampaignInput, parseIsoWait } from '../../lib/campaigns/campaign.js';
import { DEFAULT_CAMPAIGNS, defaultCampaigns, SEEDED_BY } from '../../lib/campaigns/defaults.js';
import { FLOW_TYPES } from '../../lib/campaigns/flow-catalogue.js';
import { fieldErrors } from '../../lib/shared/errors.js';
import { DEFAULT_TEMPLATES } from '../../lib/templates/defaults.js';
import { checkTemplate } from '../../lib/templates/handlebars.js';

const base = {
  name: 'Review',
  flow: 'review-request',
  trigger: { type: 'stage', enters: ['enjoy'] },
  steps: [{ wait: 'P7D', template: 'review-request', category: 'marketing' }],
  exit: 'order-reviewed',
};
const errorsOf = (input: unknown) => {
  const parsed = CampaignInput.safeParse(input);
  return parsed.success ? [] : fieldErrors(parsed.error).map((e) => `${e.path}: ${e.message}`);
};

describe('Schema: CampaignInput', () => {
  it('accepts ISO 8601 waits and fills the defaults', () => {
    const parsed = CampaignInput.parse(base);
    expect(parsed.steps[0].wait).toEqual({ days: 7 });
    expect(parsed).toMatchObject({ audience: {}, holdoutPercent: 0 });
    expect(parseIsoWait('P1DT12H')).toEqual({ days: 1, hours: 12 });
    expect(parseIsoWait('PT30M')).toEqual({ minutes: 30 });
    expect(parseIsoWait('P2W')).toEqual({ days: 14 });
    expect(parseIsoWait('PT0S')).toEqual({});
    expect(parseIsoWait('PT1M30S')).toEqual({ minutes: 1.5 });
    expect(parseIsoWait('P')).toBeNull();
    expect(parseIsoWait('7 days')).toBeNull();
  });

  it('names the field of every problem', () => {
    expect(
      errorsOf({ ...base, steps: [{ wait: 'soon', template: 'Bad Name', category: 'marketing' }] }),
    ).toEqual([
      'steps[0].wait: must be {days, hours, minutes} or an ISO 8601 duration such as P7D or PT1H',
      'steps[0].template: must be a template name (a-z, 0-9, -)',
    ]);
  });

  it('refuses exits, categories and triggers the flow does not have', () => {
    expect(
      errorsOf({
        ...base,
        exit: 'stage-left',
        trigger: { type: 'stage', enters: ['decide'], from: ['nowhere'] },
        steps: [{ template: 'review-request', category: 'transactional' }],
      }),
    ).toEqual([
      'exit: flow "review-request" can exit on none, order-reviewed, purchased, not "stage-left"',
      'steps[0].category: flow "review-request" sends marketing mail only',
      'trigger.from[0]: must be a stage (consider, research, decide, act, enjoy, refer, repeat)',
      'trigger.enters[0]: flow "review-request" can be triggered by entering enjoy, not "decide"',
    ]);
  });
});

describe('Defaults', () => {
  it('are valid campaigns covering all five flows, all active', () => {
    for (const { campaignId: _id, ...c } of DEFAULT_CAMPAIGNS) expect(errorsOf(c)).toEqual([]);
    expect(new Set(DEFAULT_CAMPAIGNS.map((c) => c.flow))).toEqual(new Set(FLOW_TYPES));
    expect(defaultCampaigns().every((c) => c.status === 'active' && c.version === 1)).toBe(true);
    // The history says the seeder made them, not "unknown".
    expect(new Set(defaultCampaigns().map((c) => c.updatedBy))).toEqual(new Set([SEEDED_BY]));
  });

  it('have an English and a German template for every campaign step, with sound Handlebars', () => {
    const names = new Set(DEFAULT_TEMPLATES.map((t) => t.name));
    for (const c of DEFAULT_CAMPAIGNS) for (const s of c.steps) expect(names).toContain(s.template);
    for (const t of DEFAULT_TEMPLATES) {
      expect(Object.keys(t.locales).sort()).toEqual(['de', 'en']);
      for (const content of Object.values(t.locales)) {
        for (const part of ['subject', 'html', 'text'] as const)
          expect(checkTemplate(content?.[part] ?? '', part)).toEqual([]);
      }
    }
  });

  it('link the unsubscribe URL in every marketing template', () => {
    const marketing = new Set(
      DEFAULT_CAMPAIGNS.flatMap((c) =>
        c.steps.filter((s) => s.category === 'marketing').map((s) => s.template),
      ),
    );
    for (const t of DEFAULT_TEMPLATES.filter((x) => marketing.has(x.name))) {
      expect(t.locales.en?.html).toContain('href="{{unsubscribeUrl}}"');
      expect(t.locales.de?.html).toContain('href="{{unsubscribeUrl}}"');
    }
  });
});
