import type { FlowEvent } from '../lib/flows/plan.js';
import { logger } from '../lib/runtime/container.js';
import { flowDeps, issueRewards } from '../lib/runtime/flows.js';
import { taskHandler } from '../lib/runtime/handlers.js';

/** Task "Issue rewards" of the referral-reward flow: Reward Issued for referrer and friend. */
export const handler = taskHandler(
  async (input: { flow: string; event: FlowEvent }) => {
    const log = logger.createChild({
      persistentKeys: {
        correlationId: String(input.event.detail.touchpointId ?? input.event.detail.eventId),
      },
    });
    const issued = await issueRewards(flowDeps(), input.event);
    log.info('rewards issued', { count: issued });
    return { issued };
  },
  { correlationId: (input) => input.event.detail.touchpointId ?? input.event.detail.eventId },
);
