import type { EventBridgeEvent } from 'aws-lambda';
import { SesEvent } from '../lib/consent/ses-events.js';
import { logger } from '../lib/runtime/container.js';
import { taskHandler } from '../lib/runtime/handlers.js';
import { messaging } from '../lib/runtime/messaging.js';

/**
 * EventBridge target for SES bounces and complaints (rule: SES_EVENTS_RULE_PATTERN, default
 * bus). Permanent bounces and complaints suppress the address. Idempotent, so redelivery is
 * harmless; a DynamoDB error is thrown for EventBridge to retry (then the DLQ).
 */
export const handler = taskHandler<EventBridgeEvent<string, unknown>, { suppressed: number }>(
  async (event) => {
    const parsed = SesEvent.safeParse(event);
    if (!parsed.success) {
      logger.warn('ignored an event that is not an SES bounce or complaint', {
        detailType: event['detail-type'],
      });
      return { suppressed: 0 };
    }
    const suppressed = await messaging().consent.recordSesEvent(parsed.data);
    // Never the address: logs carry no PII.
    logger.info('SES event handled', { detailType: event['detail-type'], id: event.id, suppressed });
    return { suppressed };
  },
  { correlationId: (event) => event.id },
);
