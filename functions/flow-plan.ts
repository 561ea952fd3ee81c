import type { FlowType } from '../lib/campaigns/flow-catalogue.js';
import { type FlowEvent, planRuns } from '../lib/flows/plan.js';
import { flowTraceSink, runStartedLine, tracedFlowDeps } from '../lib/flows/trace.js';
import { logger } from '../lib/runtime/container.js';
import { flowDeps } from '../lib/runtime/flows.js';

/** Task "Find matching campaigns": one run per matching active campaign and recipient. */
export const handler = async (input: { flow: FlowType; event: FlowEvent }) => {
  const log = logger.createChild({
    persistentKeys: {
      correlationId: String(input.event.detail.touchpointId ?? input.event.detail.eventId),
      flow: input.flow,
    },
  });
  const trace = flowTraceSink();
  const planned = await planRuns(
    trace ? tracedFlowDeps(flowDeps(), trace) : flowDeps(),
    input.flow,
    input.event,
  );
  for (const run of planned.runs) trace?.(runStartedLine(run));
  log.info('campaign runs planned', { runs: planned.runs.map((r) => `${r.campaignId}@${r.version}`) });
  return planned;
};
