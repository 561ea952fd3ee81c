import { MERGE_PATCH_TYPES } from '../../lib/http/merge-patch.js';
import {
  CampaignMetrics,
  CampaignMetricsList,
  GlobalControlReport,
  Settings,
} from '../../lib/measurement/http-schemas.js';
import { MetricsQuery, SettingsPatch } from '../../lib/measurement/queries.js';
import type { Operations } from '../operation.js';

const METRICS_NOTE =
  'Summed from per-day counters: messages by the day they were sent, assignments and conversions by the day ' +
  'the customer was assigned; `from` (inclusive) and `to` (exclusive) are days in STAGEFLOW_REPORT_TIMEZONE, ' +
  'both optional. Conversion is intent-to-treat (docs/measurement.md).';

/** Campaign metrics, the global control report and the settings: one entry per route in ROUTES. */
export const measurementOperations = {
  'GET /v1/campaigns/metrics': {
    operationId: 'listCampaignMetrics',
    summary: 'Delivery, engagement, conversions and lift of every campaign (admin)',
    description: `The report of \`GET /v1/campaigns/{campaignId}/metrics\` for each campaign. ${METRICS_NOTE}`,
    tag: 'Campaigns',
    query: MetricsQuery,
    responses: { 200: { description: 'One report per campaign', body: { schema: CampaignMetricsList } } },
  },
  'GET /v1/campaigns/{campaignId}/metrics': {
    operationId: 'getCampaignMetrics',
    summary: 'Delivery, engagement, conversions and lift of a campaign against its control group (admin)',
    description: METRICS_NOTE,
    tag: 'Campaigns',
    query: MetricsQuery,
    responses: { 200: { description: 'The report', body: { schema: CampaignMetrics } } },
    errors: { 404: 'No such campaign' },
  },
  'GET /v1/analytics/global-control': {
    operationId: 'globalControlReport',
    summary:
      'Purchase rate and revenue per customer, marketing mail against the global control group (admin)',
    description:
      'Customers by the day of their first marketing step (or of their move across the percentage) in [from, to); ' +
      'a purchase counts within 30 days after it. Purchase rates are compared with Newcombe’s score interval and the test inverting it, ' +
      'revenue per customer per currency with Welch’s 95% interval (docs/measurement.md).',
    tag: 'Analytics',
    query: MetricsQuery,
    responses: { 200: { description: 'The report', body: { schema: GlobalControlReport } } },
  },
  'GET /v1/settings': {
    operationId: 'getSettings',
    summary: 'The global control group, the marketing switch and tracking (admin)',
    tag: 'Settings',
    responses: { 200: { description: 'The settings', body: { schema: Settings } } },
  },
  'PATCH /v1/settings': {
    operationId: 'patchSettings',
    summary: 'Change the global control group, or pause and resume marketing mail by hand (admin)',
    description:
      'RFC 7396, as `application/merge-patch+json` (or `application/json`): `{"globalControlPercent": 5}`, ' +
      '`{"marketing": {"paused": true, "reason": "brand review"}}`; `null` returns a member to its default. ' +
      'Resuming by hand never overrides an SES reputation alarm. `tracking` is read-only (STAGEFLOW_TRACKING).',
    tag: 'Settings',
    body: { schema: SettingsPatch, contentType: MERGE_PATCH_TYPES },
    responses: { 200: { description: 'The settings now', body: { schema: Settings } } },
    errors: { 415: 'Not a merge patch (see `Accept-Patch`)' },
  },
} satisfies Operations;
