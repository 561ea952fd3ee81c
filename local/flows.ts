import { App, Stack } from 'aws-cdk-lib';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import {
  type CfnStateMachine,
  DefinitionBody,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import { flowDefinition } from '../infra/flows.js';
import { FLOW_TYPES, type FlowType, flowRulePattern } from '../lib/campaigns/flow-catalogue.js';
import { timeScale } from '../lib/config.js';
import type { LambdaHandler } from './api-server.js';
import type { LocalEventBus } from './event-bus.js';
import {
  definitionsFromTemplate,
  functionNameFromArn,
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  localFunctionArn,
} from './flow-definitions.js';
import { lambdaContext } from './lambda-context.js';
import { LocalStepFunctions } from './step-functions.js';

export const LOCAL_FLOW_PREFIX = 'stageflow-local-';

/**
 * The five flows' definitions as CDK synthesizes them (the same flowDefinition() the
 * deployed Flows construct uses), with every Lambda task pointing at a local function ARN.
 */
export function synthesizeFlowDefinitions() {
  const app = new App();
  const stack = new Stack(app, 'LocalFlows', { env: { account: LOCAL_ACCOUNT, region: LOCAL_REGION } });
  const fn = (name: string) => LambdaFunction.fromFunctionArn(stack, name, localFunctionArn(name));
  const fns = { plan: fn('flowPlan'), send: fn('flowSend'), rewards: fn('issueRewards') };
  const resources: Record<string, unknown> = {};
  for (const flow of FLOW_TYPES) {
    const machine = new StateMachine(stack, `${flow}StateMachine`, {
      stateMachineName: `${LOCAL_FLOW_PREFIX}${flow}`,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(flowDefinition(stack, flow, fns)),
    });
    // Resolving the CloudFormation properties gives what synth writes, without the seconds a
    // full app.synth() costs (cloud assembly validation) on every start.
    const cfn = machine.node.defaultChild as CfnStateMachine;
    resources[flow] = {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        StateMachineName: cfn.stateMachineName,
        DefinitionString: stack.resolve(cfn.definitionString),
      },
    };
  }
  return definitionsFromTemplate({ Resources: resources }, () => undefined);
}

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
 */
export async function startLocalFlows(options: {
  handlers: Record<string, LambdaHandler>;
  log?: (line: string) => void;
}): Promise<LocalFlows> {
  const definitions = synthesizeFlowDefinitions();
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
