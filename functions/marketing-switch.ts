import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { dynamoClient } from '../lib/aws/clients.js';
import { config } from '../lib/config.js';
import { DynamoDbMarketingSwitch } from '../lib/flows/dynamodb-marketing-switch.js';
import { alarmChangeOf, applyAlarmChange } from '../lib/flows/marketing-switch.js';
import { logger } from '../lib/runtime/logger.js';

/**
 * EventBridge target for the SES bounce-rate and complaint-rate alarms' state changes (default
 * bus, source aws.cloudwatch): pauses marketing mail while either is in ALARM and resumes it
 * once both are OK, in the `SETTINGS`/`MARKETING` item. Idempotent and order-tolerant; a
 * DynamoDB error is thrown for a retry (then the dead-letter queue).
 */
export const handler = middy<EventBridgeEvent<string, unknown>, { paused: boolean | null }>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    const change = alarmChangeOf(event);
    if (!change) {
      logger.warn('ignored an event that is not an alarm state change', { detailType: event['detail-type'] });
      return { paused: null };
    }
    const store = new DynamoDbMarketingSwitch(dynamoClient(), config().tableName);
    const state = await applyAlarmChange(store, change);
    logger.info('marketing switch', {
      alarm: change.alarmName,
      alarmState: change.state,
      paused: state.paused,
      reason: state.reason,
    });
    return { paused: state.paused };
  });
