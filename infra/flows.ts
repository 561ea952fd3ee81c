import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { EventField, type EventPattern, type IEventBus, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import {
  Choice,
  Condition,
  DefinitionBody,
  type IChainable,
  JitterType,
  JsonPath,
  LogLevel,
  Map as MapState,
  Pass,
  StateMachine,
  StateMachineType,
  Succeed,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { FLOW_TYPES, type FlowType, flowRulePattern } from '../lib/campaigns/flow-catalogue.js';

/** EventBridge's own pattern keys to CDK's camelCase EventPattern. */
export function cdkPattern(pattern: Record<string, unknown>): EventPattern {
  const { 'detail-type': detailType, ...rest } = pattern;
  return { ...rest, ...(detailType ? { detailType } : {}) } as EventPattern;
}

/** The Lambda functions the flows' task states call. */
export interface FlowFunctions {
  plan: IFunction;
  send: IFunction;
  rewards: IFunction;
}

/** The state names, shared with the local runner's task bindings. */
export const FLOW_STATES = {
  describe: 'Describe trigger',
  rewards: 'Issue rewards',
  plan: 'Find matching campaigns',
  campaigns: 'Run each campaign',
  wait: 'Wait for next step',
  send: 'Check and send',
  more: 'More steps?',
  failure: 'Record failure',
  runDone: 'Campaign run finished',
  done: 'Flow finished',
} as const;

/**
 * One flow's definition. Every flow finds its active campaigns, then runs each one:
 * wait, check everything again, send at most once, repeat for the next step. Transient send
 * errors are retried with backoff; what still fails is recorded, never silently dropped.
 * The referral-reward flow first raises Reward Issued for both people.
 */
export function flowDefinition(scope: Construct, flow: FlowType, fns: FlowFunctions): IChainable {
  const describe = new Pass(scope, `${flow}:${FLOW_STATES.describe}`, {
    stateName: FLOW_STATES.describe,
    parameters: { flow, 'event.$': '$' },
  });
  const plan = new LambdaInvoke(scope, `${flow}:${FLOW_STATES.plan}`, {
    stateName: FLOW_STATES.plan,
    lambdaFunction: fns.plan,
    payloadResponseOnly: true,
    retryOnServiceExceptions: true,
  });
  const wait = new Wait(scope, `${flow}:${FLOW_STATES.wait}`, {
    stateName: FLOW_STATES.wait,
    time: WaitTime.timestampPath('$.waitUntil'),
  });
  const send = new LambdaInvoke(scope, `${flow}:${FLOW_STATES.send}`, {
    stateName: FLOW_STATES.send,
    lambdaFunction: fns.send,
    payloadResponseOnly: true,
    retryOnServiceExceptions: true,
  });
  send.addRetry({
    errors: ['TransientSendError'],
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 6,
    maxDelay: Duration.minutes(5),
    jitterStrategy: JitterType.FULL,
  });
  // The task died (timeout, crash) perhaps after its send claim: the next attempt finds the
  // claim and waits out its lease (lib/flows/send-step.ts), so nothing is sent twice.
  send.addRetry({
    errors: ['Sandbox.Timedout', 'Runtime.ExitError', 'Lambda.Unknown'],
    interval: Duration.seconds(10),
    backoffRate: 2,
    maxAttempts: 3,
  });
  // A missing or invalid setting is a deployment error: the mail waits (about four days) for
  // the fix instead of failing; the function's error alarm calls someone meanwhile.
  send.addRetry({
    errors: ['ConfigurationError'],
    interval: Duration.minutes(1),
    backoffRate: 2,
    maxAttempts: 100,
    maxDelay: Duration.hours(1),
  });
  const failure = new LambdaInvoke(scope, `${flow}:${FLOW_STATES.failure}`, {
    stateName: FLOW_STATES.failure,
    lambdaFunction: fns.send,
    payloadResponseOnly: true,
    retryOnServiceExceptions: true,
  });
  const runDone = new Succeed(scope, `${flow}:${FLOW_STATES.runDone}`, { stateName: FLOW_STATES.runDone });
  send.addCatch(failure, { errors: ['States.ALL'], resultPath: '$.error' });
  failure.next(runDone);
  const more = new Choice(scope, `${flow}:${FLOW_STATES.more}`, { stateName: FLOW_STATES.more })
    .when(Condition.stringEquals('$.next', 'wait'), wait)
    .otherwise(runDone);

  const campaigns = new MapState(scope, `${flow}:${FLOW_STATES.campaigns}`, {
    stateName: FLOW_STATES.campaigns,
    itemsPath: '$.runs',
    maxConcurrency: 10,
    resultPath: JsonPath.DISCARD,
  });
  campaigns.itemProcessor(wait.next(send).next(more));
  const done = new Succeed(scope, `${flow}:${FLOW_STATES.done}`, { stateName: FLOW_STATES.done });

  if (flow === 'referral-reward') {
    const rewards = new LambdaInvoke(scope, `${flow}:${FLOW_STATES.rewards}`, {
      stateName: FLOW_STATES.rewards,
      lambdaFunction: fns.rewards,
      payloadResponseOnly: true,
      retryOnServiceExceptions: true,
      resultPath: JsonPath.DISCARD,
    });
    return describe.next(rewards).next(plan).next(campaigns).next(done);
  }
  return describe.next(plan).next(campaigns).next(done);
}

export interface FlowsProps {
  stage: string;
  bus: IEventBus;
  functions: FlowFunctions;
  /** Starts executions named after the event id, so a redelivered event starts nothing new. */
  starter: IFunction;
  alarmTopic: ITopic;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/** The five flows: a Standard state machine each, started by an EventBridge rule. */
export class Flows extends Construct {
  readonly stateMachines: Record<FlowType, StateMachine>;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: FlowsProps) {
    super(scope, id);
    const action = new SnsAction(props.alarmTopic);
    this.deadLetterQueue = new Queue(this, 'RuleDeadLetterQueue', {
      queueName: `stageflow-${props.stage}-flow-rules-dlq`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the flow rules.',
    });
    const dlqAlarm = new Alarm(this, 'RuleDeadLetterAlarm', {
      alarmName: `stageflow-${props.stage}-flow-rules-dlq`,
      alarmDescription: 'An event could not be delivered to a flow starter; replay it from the archive',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    dlqAlarm.addAlarmAction(action);

    const machines = {} as Record<FlowType, StateMachine>;
    for (const flow of FLOW_TYPES) {
      const logs = new LogGroup(this, `${flow}Logs`, {
        logGroupName: `/aws/vendedlogs/states/stageflow-${props.stage}-${flow}`,
        retention: props.logRetention,
        removalPolicy: props.removalPolicy,
      });
      const machine = new StateMachine(this, `${flow}StateMachine`, {
        stateMachineName: `stageflow-${props.stage}-${flow}`,
        stateMachineType: StateMachineType.STANDARD,
        definitionBody: DefinitionBody.fromChainable(flowDefinition(this, flow, props.functions)),
        tracingEnabled: true,
        logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
        timeout: Duration.days(90),
      });
      machine.grantStartExecution(props.starter);
      machines[flow] = machine;

      new Rule(this, `${flow}Rule`, {
        ruleName: `stageflow-${props.stage}-${flow}`,
        description: `Starts the ${flow} flow`,
        eventBus: props.bus,
        eventPattern: cdkPattern(flowRulePattern(flow)),
        targets: [
          new LambdaFunction(props.starter, {
            event: RuleTargetInput.fromObject({ flow, event: EventField.fromPath('$') }),
            deadLetterQueue: this.deadLetterQueue,
            retryAttempts: 8,
            maxEventAge: Duration.hours(24),
          }),
        ],
      });
      const failed = new Alarm(this, `${flow}FailedAlarm`, {
        alarmName: `stageflow-${props.stage}-${flow}-failed`,
        alarmDescription: `An execution of the ${flow} flow failed`,
        metric: machine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      failed.addAlarmAction(action);
    }
    this.stateMachines = machines;
  }
}
