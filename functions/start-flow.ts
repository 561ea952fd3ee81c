import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { localEndpoint } from '../lib/aws/clients.js';
import type { FlowType } from '../lib/campaigns/flow-catalogue.js';
import { type FlowEvent, staleForEveryCampaign } from '../lib/flows/plan.js';
import { logger } from '../lib/runtime/container.js';
import { starterDeps } from '../lib/runtime/flow-starter.js';

const sfn = new SFNClient(localEndpoint(process.env.STEPFUNCTIONS_ENDPOINT));

/**
 * EventBridge rule target: starts the flow's state machine with an execution named after
 * the event's own id, so the same event delivered twice starts one execution. History is not
 * news: an event stale for every campaign it triggers starts none (counted per campaign).
 */
export const handler = async (input: { flow: FlowType; event: FlowEvent }) => {
  const prefix = process.env.FLOW_STATE_MACHINE_ARN_PREFIX;
  if (!prefix) throw new Error('FLOW_STATE_MACHINE_ARN_PREFIX is not set');
  const eventId = String(input.event.detail.eventId ?? input.event.id);
  const name = `${input.flow}-${eventId}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80);
  const log = logger.createChild({
    persistentKeys: { correlationId: String(input.event.detail.touchpointId ?? eventId), flow: input.flow },
  });
  if (await staleForEveryCampaign(starterDeps(), input.flow, input.event)) {
    log.info('flow not started: the event is older than every campaign’s freshness horizon', {
      reasonCode: 'stale',
    });
    return { started: false, reasonCode: 'stale' };
  }
  try {
    const out = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: `${prefix}${input.flow}`,
        name,
        input: JSON.stringify(input.event),
      }),
    );
    log.info('flow started', { executionName: name });
    return { started: true, executionArn: out.executionArn };
  } catch (error) {
    if ((error as Error).name === 'ExecutionAlreadyExists') {
      log.info('flow already started for this event', { executionName: name });
      return { started: false, executionName: name };
    }
    throw error;
  }
};
