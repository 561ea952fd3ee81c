import { App, Stack } from 'aws-cdk-lib';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import {
  type CfnStateMachine,
  DefinitionBody,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import { flowDefinition } from '../infra/flows.js';
import { FLOW_TYPES } from '../lib/campaigns/flow-catalogue.js';
import type { FlowDefinitions } from './flow-definitions.js';
import {
  definitionsFromTemplate,
  LOCAL_ACCOUNT,
  LOCAL_FLOW_PREFIX,
  LOCAL_REGION,
  localFunctionArn,
} from './flow-definitions.js';

// Its own module, imported only where a stack synthesizes its flows: aws-cdk-lib (and
// infra/flows.ts's constructs) take seconds to load, which the API thread never needs.

/**
 * The five flows' definitions as CDK synthesizes them (the same flowDefinition() the
 * deployed Flows construct uses), with every Lambda task pointing at a local function ARN.
 */
export function synthesizeFlowDefinitions(): FlowDefinitions {
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
