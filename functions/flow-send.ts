import { CampaignRun } from '../lib/flows/run.js';
import { recordFailure, runStep } from '../lib/flows/send-step.js';
import { flowTraceSink, heldLine, tracedFlowDeps } from '../lib/flows/trace.js';
import { logger } from '../lib/runtime/container.js';
import { flowDeps } from '../lib/runtime/flows.js';
import { taskHandler } from '../lib/runtime/handlers.js';

/**
 * Task "Check and send" (and "Record failure" when the input carries the caught error):
 * one campaign step, with every check made again at the moment of sending.
 */
export const handler = taskHandler(
  async (input: unknown) => {
    const error = (input as { error?: { Error?: string; Cause?: string } }).error;
    const run = CampaignRun.parse(input);
    const log = logger.createChild({
      persistentKeys: {
        correlationId: run.correlationId || run.eventId,
        flow: run.flow,
        campaignId: run.campaignId,
        step: run.step,
      },
    });
    const trace = flowTraceSink();
    const deps = trace ? tracedFlowDeps(flowDeps(), trace) : flowDeps();
    if (error) {
      log.warn('send failed after retries', { error: error.Error });
      return recordFailure(deps, { ...run, error });
    }
    const next = await runStep(deps, run);
    const held = trace && heldLine(run, next);
    if (held) trace(held);
    log.info('step done', { next: next.next, nextStep: next.step });
    return next;
  },
  {
    correlationId: (input) => {
      const run = input as { correlationId?: string; eventId?: string };
      return run.correlationId || run.eventId;
    },
  },
);
