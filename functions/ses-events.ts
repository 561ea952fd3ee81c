import type { EventBridgeEvent } from 'aws-lambda';
import { SesEvent } from '../lib/consent/ses-events.js';
import { recordEngagement } from '../lib/engagement/record-engagement.js';
import { SesEngagementEvent } from '../lib/engagement/ses-event.js';
import { logger } from '../lib/runtime/container.js';
import { engagement } from '../lib/runtime/engagement.js';
import { taskHandler } from '../lib/runtime/handlers.js';
import { messaging } from '../lib/runtime/messaging.js';

/**
 * EventBridge target for every SES event of Stageflow's configuration sets (rule:
 * engagementRulePattern, default bus). Permanent bounces and complaints suppress the address;
 * every event updates its message's engagement and becomes a touchpoint. Idempotent, so
 * redelivery is harmless; a DynamoDB error is thrown for EventBridge to retry (then the DLQ).
 */
export const handler = taskHandler<
  EventBridgeEvent<string, unknown>,
  { suppressed: number; engagement: string }
>(
  async (event) => {
    const parsed = SesEvent.safeParse(event);
    const suppressed = parsed.success ? await messaging().consent.recordSesEvent(parsed.data) : 0;
    const tracked = SesEngagementEvent.safeParse(event);
    const outcome = tracked.success ? await recordEngagement(engagement(), tracked.data) : 'ignored';
    // Never the address: logs carry no PII.
    logger.info('SES event handled', {
      detailType: event['detail-type'],
      id: event.id,
      suppressed,
      engagement: outcome,
    });
    return { suppressed, engagement: outcome };
  },
  { correlationId: (event) => event.id },
);
