import { FLOW_TYPES, type FlowType, flowRulePattern } from '../lib/campaigns/flow-catalogue.js';
import { timeScale } from '../lib/config.js';
import type { LambdaHandler } from './api-server.js';
import type { LocalEventBus } from './event-bus.js';
import {
  type FlowDefinitions,
  functionNameFromArn,
  LOCAL_ACCOUNT,
  LOCAL_FLOW_PREFIX,
  LOCAL_REGION,
} from './flow-definitions.js';
import { lambdaContext } from './lambda-context.js';
import { LocalStepFunctions } from './step-functions.js';

export interface LocalFlows {
  stepFunctions: LocalStepFunctions;
  endpoint: string;
  arnPrefix: string;
  /** Routes each flow's rule pattern on the bus to the starter, as the deployed rules do. */
  connect(bus: LocalEventBus, starter: LambdaHandler): void;
  stop(): Promise<void>;
}

/**
 * Starts the local Step Functions endpoint with the synthesized flows. Task states run the
 * handlers the stack loaded (looked up lazily, so this can start before they load).
 * `definitions`: synthesized already (the tests do it once per run); else synthesized here.
 * aws-cdk-lib is imported only then: loading it costs seconds a start, in each thread.
 */
export async function startLocalFlows(options: {
  handlers: Record<string, LambdaHandler>;
  log?: (line: string) => void;
  definitions?: FlowDefinitions;
}): Promise<LocalFlows> {
  const definitions = options.definitions ?? (await import('./flow-synth.js')).synthesizeFlowDefinitions();
  const stepFunctions = await new LocalStepFunctions({
    definitions: Object.fromEntries(Object.entries(definitions).map(([arn, d]) => [arn, d.asl])),
    resolveTask: (arn) => {
      const name = functionNameFromArn(arn);
      return name ? options.handlers[name] : undefined;
    },
    timeScale: timeScale(),
    log: options.log,
  }).start();
  return {
    stepFunctions,
    endpoint: stepFunctions.endpoint,
    arnPrefix: `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${LOCAL_FLOW_PREFIX}`,
    connect: (bus, starter) => connectFlowRules(bus, starter),
    stop: () => stepFunctions.stop(),
  };
}

/** Routes each flow's rule pattern on the bus to the starter, as the deployed rules do. */
export function connectFlowRules(bus: LocalEventBus, starter: LambdaHandler): void {
  for (const flow of FLOW_TYPES) {
    bus.addRule(`${LOCAL_FLOW_PREFIX}${flow}`, flowRulePattern(flow), async (event) => {
      await starter({ flow: flow as FlowType, event }, lambdaContext('startFlow'));
    });
  }
}
