import { AttributionQuery, FunnelQuery, StagesQuery } from '../../lib/analytics/queries.js';
import { AttributionReport, FunnelReport, StagesReport } from '../../lib/analytics/report-schemas.js';
import type { Operations } from '../operation.js';

/** The operations of the analytics reports: one entry per route in ROUTES (lib/http/routes.ts). */
export const analyticsOperations = {
  'GET /v1/analytics/stages': {
    operationId: 'stagesReport',
    summary: 'Customers per journey stage now, how many stalled, median days in stage (admin)',
    description:
      'Every answer carries `asOf` and `lagSeconds`: the age of the oldest profile change not yet counted, ' +
      'whether the projector has been handed it or it still waits in the table stream (0 when every change is ' +
      'in; poll for 0 instead of sleeping). It is null, with `lagUnknown` saying why, when the stream backlog ' +
      'could not be read; the report still answers.',
    tag: 'Analytics',
    query: StagesQuery,
    responses: { 200: { description: 'The report', body: { schema: StagesReport } } },
  },
  'GET /v1/analytics/funnel': {
    operationId: 'funnelReport',
    summary: 'Funnel of the customers first seen in [from, to), by channel, campaign or cohort (admin)',
    description:
      'Days are `YYYY-MM-DD` in STAGEFLOW_REPORT_TIMEZONE; `to` is exclusive. A customer counts at a step if they ' +
      'reached it, or a later step in `steps`, less than `windowDays` × 24 h after their first touchpoint. ' +
      'Counts are exact for every whole `windowDays` from 1 to 365.',
    tag: 'Analytics',
    query: FunnelQuery,
    responses: { 200: { description: 'The report', body: { schema: FunnelReport } } },
  },
  'GET /v1/analytics/attribution': {
    operationId: 'attributionReport',
    summary: 'Orders and revenue credited to channels or campaigns under five models (admin)',
    description:
      'Orders in [from, to), refunded or cancelled ones left out. Credited touchpoints carry a channel or a utm ' +
      'campaign and lie in (purchase − lookbackDays, purchase]; an order with none is credited to `direct` / ' +
      '`(none)`. `lookbackDays` is 7, 30 or 90 (contributions are kept for these three).',
    tag: 'Analytics',
    query: AttributionQuery,
    responses: { 200: { description: 'The report', body: { schema: AttributionReport } } },
  },
} satisfies Operations;
