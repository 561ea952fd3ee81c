import type { Asl } from './step-functions.js';

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';
/** The local state machines' names: this prefix and the flow type. */
export const LOCAL_FLOW_PREFIX = 'stageflow-local-';

/** The ARN the local stack gives a Lambda function of FUNCTIONS, by its key. */
export const localFunctionArn = (name: string) =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;

export const functionNameFromArn = (arn: string) => arn.split(':function:')[1]?.split(':')[0];

/** State machine definitions by ARN, as definitionsFromTemplate() and synthesizeFlowDefinitions() return them. */
export type FlowDefinitions = Record<string, { name: string; asl: Asl }>;

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation template JSON
type Template = { Resources: Record<string, any> };

/**
 * The state machines of a synthesized stack as plain ASL: Fn::Join, Ref and Fn::GetAtt are
 * resolved, and every Lambda ARN becomes `localFunctionArn(<FUNCTIONS key>)`.
 * `functionKeyOf` maps a function's construct path to its FUNCTIONS key.
 */
export function definitionsFromTemplate(
  template: Template,
  functionKeyOf: (cdkPath: string) => string | undefined,
): FlowDefinitions {
  const resolve = (value: unknown): string => {
    if (typeof value === 'string') return value;
    // biome-ignore lint/suspicious/noExplicitAny: intrinsic functions
    const v = value as Record<string, any>;
    if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(resolve).join(v['Fn::Join'][0]);
    if (v.Ref === 'AWS::Partition') return 'aws';
    if (v.Ref === 'AWS::Region') return LOCAL_REGION;
    if (v.Ref === 'AWS::AccountId') return LOCAL_ACCOUNT;
    if (v.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
    const ref = v.Ref ?? v['Fn::GetAtt']?.[0];
    if (typeof ref === 'string') {
      const resource = template.Resources[ref];
      const key = resource ? functionKeyOf(String(resource.Metadata?.['aws:cdk:path'] ?? '')) : undefined;
      if (resource?.Type === 'AWS::Lambda::Function' && key) return localFunctionArn(key);
      return `local:${ref}`;
    }
    throw new Error(`cannot resolve ${JSON.stringify(value)} in a state machine definition`);
  };
  const out: FlowDefinitions = {};
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const name = String(resource.Properties.StateMachineName ?? logicalId);
    const asl = JSON.parse(resolve(resource.Properties.DefinitionString)) as Asl;
    out[`arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`] = { name, asl };
  }
  return out;
}
