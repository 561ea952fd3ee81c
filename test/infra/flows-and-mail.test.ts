import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type StageflowApp } from '../../infra/build-app.js';
import { SERVICE_ACCESS } from '../../infra/function-access.js';
import { SES_REPUTATION } from '../../infra/operations.js';
import { FLOW_TYPES, flowRulePattern } from '../../lib/campaigns/flow-catalogue.js';
import { sesEventsRulePattern } from '../../lib/consent/ses-events.js';
import { alarmStateChangePattern } from '../../lib/flows/marketing-switch.js';
import { FUNCTIONS, type FunctionName, type FunctionSpec } from '../../lib/http/routes.js';

const ROOT = resolve(import.meta.dirname, '../..');
const NAMES = Object.keys(FUNCTIONS) as FunctionName[];
const EVENT_FUNCTIONS = NAMES.filter((n) => (FUNCTIONS[n] as FunctionSpec).trigger === 'event');

// biome-ignore lint/suspicious/noExplicitAny: template JSON, read by path in assertions
type Json = Record<string, any>;
type Resources = Record<string, { Type: string; Properties: Json; DependsOn?: string[] }>;
type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: Json };

const logicalId = (construct: IConstruct) =>
  Stack.of(construct).getLogicalId((construct.node.defaultChild ?? construct) as never);
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const importOf = (pattern: RegExp) => ({ 'Fn::ImportValue': expect.stringMatching(pattern) });
const getAtt = (id: string, attr = 'Arn') => ({ 'Fn::GetAtt': [id, attr] });

/** The app as `cdk synth` builds it from cdk.json, plus `extra` context; no bundling. */
function synth(extra: Record<string, unknown>) {
  const context = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')).context;
  const built = buildApp(
    { ...context, 'aws:cdk:bundling-stacks': [], ...extra },
    { cloudFormationValidation: false },
  );
  const stateless = Template.fromStack(built.stateless);
  const statementsOf = (name: FunctionName): Statement[] => {
    const role = logicalId(built.stateless.functions[name].role!);
    return Object.values(stateless.findResources('AWS::IAM::Policy') as Resources)
      .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
  };
  const envOf = (name: FunctionName): Json =>
    (stateless.findResources('AWS::Lambda::Function') as Resources)[
      logicalId(built.stateless.functions[name])
    ].Properties.Environment.Variables;
  return { built, stateful: Template.fromStack(built.stateful), stateless, statementsOf, envOf };
}

describe('Flows, mail and operations in the dev app with a sender domain', () => {
  let built: StageflowApp;
  let stateful: Template;
  let stateless: Template;
  let statementsOf: (name: FunctionName) => Statement[];
  let envOf: (name: FunctionName) => Json;
  const fnArn = (name: FunctionName) => getAtt(logicalId(built.stateless.functions[name]));
  const resources = (type: string) => stateless.findResources(type) as Resources;

  beforeAll(() => {
    ({ built, stateful, stateless, statementsOf, envOf } = synth({
      'stageflow:sender': 'mail.shop.example',
      'stageflow:deployRunId': 'run-1',
    }));
  });

  describe('SES and secrets (stateful stack)', () => {
    it('has a configuration set with reputation metrics that publishes to the default bus', () => {
      stateful.hasResourceProperties('AWS::SES::ConfigurationSet', {
        Name: 'stageflow-dev',
        ReputationOptions: { ReputationMetricsEnabled: true },
        SendingOptions: { SendingEnabled: true },
      });
      const [destination] = Object.values(
        stateful.findResources('AWS::SES::ConfigurationSetEventDestination'),
      );
      expect(destination.Properties.EventDestination).toMatchObject({
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint', 'delivery', 'reject'],
        EventBridgeDestination: {
          EventBusArn: {
            'Fn::Join': ['', expect.arrayContaining([expect.stringMatching(/:event-bus\/default$/)])],
          },
        },
      });
    });

    it('creates the sender domain identity with Easy DKIM on that configuration set, and prints its DNS records', () => {
      stateful.hasResourceProperties('AWS::SES::EmailIdentity', {
        EmailIdentity: 'mail.shop.example',
        ConfigurationSetAttributes: {
          ConfigurationSetName: { Ref: logicalId(built.stateful.configurationSet) },
        },
      });
      const outputs = Object.keys(stateful.findOutputs('*'));
      expect(outputs).toEqual(expect.arrayContaining(['DkimRecord1', 'DkimRecord2', 'DkimRecord3']));
    });

    it('generates the unsubscribe HMAC secret and never rotates it (acknowledged)', () => {
      stateful.hasResourceProperties('AWS::SecretsManager::Secret', {
        Description: Match.stringLikeRegexp('unsubscribe'),
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
      });
      stateful.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    });
  });

  describe('Flows', () => {
    it('has the five Standard state machines with X-Ray and logging at level ALL, without execution data', () => {
      const machines = Object.values(resources('AWS::StepFunctions::StateMachine'));
      expect(machines.map((m) => m.Properties.StateMachineName).sort()).toEqual(
        FLOW_TYPES.map((f) => `stageflow-dev-${f}`).sort(),
      );
      for (const m of machines) {
        expect(m.Properties).toMatchObject({
          StateMachineType: 'STANDARD',
          TracingConfiguration: { Enabled: true },
          LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
        });
      }
    });

    it('starts each flow by a rule on the Stageflow bus with the shared pattern, to the starter, with a DLQ', () => {
      const rules = Object.values(resources('AWS::Events::Rule')).filter((r) =>
        FLOW_TYPES.some((f) => r.Properties.Name === `stageflow-dev-${f}`),
      );
      expect(rules).toHaveLength(FLOW_TYPES.length);
      for (const flow of FLOW_TYPES) {
        const rule = rules.find((r) => r.Properties.Name === `stageflow-dev-${flow}`)!;
        expect(rule.Properties.EventBusName).toEqual(importOf(/EventBus/));
        expect(rule.Properties.EventPattern).toEqual(flowRulePattern(flow));
        expect(rule.Properties.Targets).toEqual([
          expect.objectContaining({
            Arn: fnArn('startFlow'),
            DeadLetterConfig: { Arn: getAtt(logicalId(built.stateless.flows.deadLetterQueue)) },
          }),
        ]);
      }
    });

    it('lets the starter start the five state machines and nothing else, by the ARN prefix it is given', () => {
      expect(envOf('startFlow').FLOW_STATE_MACHINE_ARN_PREFIX).toEqual({
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':states:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':stateMachine:stageflow-dev-',
          ],
        ],
      });
      const start = statementsOf('startFlow').filter((s) => actions(s).includes('states:StartExecution'));
      expect(start.map((s) => s.Resource).sort()).toEqual(
        Object.values(built.stateless.flows.stateMachines)
          .map((m) => ({ Ref: logicalId(m) }))
          .sort(),
      );
    });

    it('gives the flow tasks the bus, the mail settings, the public URL and the secret ARN', () => {
      const apiId = logicalId(built.stateless.api);
      for (const name of ['flowPlan', 'flowSend'] as const) {
        expect(envOf(name), name).toMatchObject({
          EVENT_BUS_NAME: importOf(/EventBus/),
          STAGEFLOW_TEMPLATE_PREFIX: 'stageflow-dev-',
          STAGEFLOW_SENDER: 'noreply@mail.shop.example',
          SES_CONFIGURATION_SET: importOf(/ConfigurationSet/),
          // The Api resource's own endpoint: no cycle (the Api depends on no function).
          STAGEFLOW_PUBLIC_URL: getAtt(apiId, 'ApiEndpoint'),
        });
      }
      expect(envOf('flowSend').STAGEFLOW_UNSUBSCRIBE_SECRET_ARN).toEqual(importOf(/UnsubscribeSecret/));
      expect(envOf('flowPlan').STAGEFLOW_UNSUBSCRIBE_SECRET_ARN).toBeUndefined();
      expect(envOf('issueRewards').EVENT_BUS_NAME).toEqual(importOf(/EventBus/));
    });

    it('lets flowSend send from the sender only, with the configuration set and its own templates', () => {
      const send = statementsOf('flowSend').filter((s) => actions(s).includes('ses:SendEmail'));
      expect(send).toHaveLength(1);
      expect(actions(send[0])).toEqual(['ses:SendEmail']);
      expect(send[0].Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'noreply@mail.shop.example' } });
      const arns = JSON.stringify(send[0].Resource);
      expect(arns).toContain(':identity/*');
      expect(arns).toContain(':configuration-set/');
      expect(arns).toContain(':template/stageflow-dev-*');
      // Nobody else sends mail.
      for (const name of NAMES.filter((n) => n !== 'flowSend')) {
        expect(statementsOf(name).flatMap(actions), name).not.toContain('ses:SendEmail');
      }
    });

    it('lets only the functions that sign or check unsubscribe links read the secret', () => {
      const readers = NAMES.filter((n) =>
        statementsOf(n).some((s) => actions(s).includes('secretsmanager:GetSecretValue')),
      );
      expect(readers.sort()).toEqual(['flowSend', 'templates', 'unsubscribe']);
      for (const name of readers) {
        const statement = statementsOf(name).find((s) =>
          actions(s).includes('secretsmanager:GetSecretValue'),
        )!;
        expect(actions(statement)).toEqual(['secretsmanager:GetSecretValue']);
        expect(statement.Resource).toEqual(importOf(/UnsubscribeSecret/));
        expect(envOf(name).STAGEFLOW_UNSUBSCRIBE_SECRET_ARN).toEqual(importOf(/UnsubscribeSecret/));
      }
    });

    it('lets issueRewards put events on the Stageflow bus only', () => {
      const put = statementsOf('issueRewards').filter((s) => actions(s).includes('events:PutEvents'));
      expect(put.map((s) => s.Resource)).toEqual([importOf(/EventBus/)]);
    });

    it('scopes SES template actions to the templates of this stage', () => {
      for (const name of NAMES) {
        const templateActions = statementsOf(name).filter((s) =>
          actions(s).some((a) => a.endsWith('EmailTemplate') || a === 'ses:TestRenderEmailTemplate'),
        );
        for (const s of templateActions)
          expect(JSON.stringify(s.Resource), name).toContain(':template/stageflow-dev-*');
        expect(templateActions.flatMap(actions).sort(), name).toEqual(
          [...(SERVICE_ACCESS[name].templates ?? [])].sort(),
        );
      }
    });
  });

  describe('SES events, reputation and the marketing switch', () => {
    it('routes bounces and complaints of the configuration set on the default bus to sesEvents, with a DLQ', () => {
      const rule = Object.values(resources('AWS::Events::Rule')).find(
        (r) => r.Properties.Name === 'stageflow-dev-ses-events',
      )!;
      expect(rule.Properties.EventBusName).toBeUndefined();
      const pattern = JSON.parse(
        JSON.stringify(sesEventsRulePattern('CONFIGURATION_SET')).replace(
          '"CONFIGURATION_SET"',
          JSON.stringify(importOf(/ConfigurationSet/)),
        ),
      );
      expect(rule.Properties.EventPattern).toEqual({
        ...pattern,
        detail: { mail: { tags: { 'ses:configuration-set': [importOf(/ConfigurationSet/)] } } },
      });
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: fnArn('sesEvents'),
          DeadLetterConfig: {
            Arn: getAtt(logicalId(built.stateless.eventDeadLetters.sesEvents!.queue)),
          },
        }),
      ]);
    });

    it('alarms at a 2 % bounce rate and a 0.08 % complaint rate (account-wide SES reputation)', () => {
      const alarms = Object.values(resources('AWS::CloudWatch::Alarm'));
      const bounce = alarms.find((a) => a.Properties.AlarmName === 'stageflow-dev-ses-bounce-rate');
      const complaint = alarms.find((a) => a.Properties.AlarmName === 'stageflow-dev-ses-complaint-rate');
      for (const [alarm, metric, threshold] of [
        [bounce, 'Reputation.BounceRate', 0.02],
        [complaint, 'Reputation.ComplaintRate', 0.0008],
      ] as const) {
        expect(alarm?.Properties).toMatchObject({
          Namespace: 'AWS/SES',
          MetricName: metric,
          Threshold: threshold,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: [importOf(/AlarmTopic/)],
          OKActions: [importOf(/AlarmTopic/)],
        });
        expect(alarm?.Properties.Dimensions).toBeUndefined();
      }
      expect(SES_REPUTATION.bounceRate.threshold).toBe(0.02);
    });

    it('hands both alarms’ state changes to marketingSwitch, with a DLQ, and lets it touch only its item', () => {
      const rule = Object.values(resources('AWS::Events::Rule')).find(
        (r) => r.Properties.Name === 'stageflow-dev-marketing-switch',
      )!;
      const { bounceAlarm, complaintAlarm } = built.stateless.reputation;
      expect(rule.Properties.EventBusName).toBeUndefined();
      expect(rule.Properties.EventPattern).toEqual(
        alarmStateChangePattern([getAtt(logicalId(bounceAlarm)), getAtt(logicalId(complaintAlarm))] as never),
      );
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: fnArn('marketingSwitch'),
          DeadLetterConfig: {
            Arn: getAtt(logicalId(built.stateless.eventDeadLetters.marketingSwitch!.queue)),
          },
        }),
      ]);
      const dynamo = statementsOf('marketingSwitch')
        .flatMap(actions)
        .filter((a) => a.startsWith('dynamodb:'));
      expect(dynamo.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    });
  });

  describe('Dead letters', () => {
    it('gives every rule target a dead-letter queue and a retry policy', () => {
      const targets = Object.values(resources('AWS::Events::Rule')).flatMap(
        (r) => r.Properties.Targets as Json[],
      );
      expect(targets.length).toBe(FLOW_TYPES.length + 2);
      for (const t of targets) {
        expect(t.DeadLetterConfig?.Arn).toEqual(getAtt(expect.any(String)));
        expect(t.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86_400 });
      }
    });

    it('sends the failed asynchronous invocations of every rule-invoked function to its own DLQ', () => {
      const configs = Object.values(resources('AWS::Lambda::EventInvokeConfig'));
      expect(configs).toHaveLength(EVENT_FUNCTIONS.length);
      for (const name of EVENT_FUNCTIONS) {
        const config = configs.find(
          (c) => c.Properties.FunctionName.Ref === logicalId(built.stateless.functions[name]),
        );
        expect(config?.Properties, name).toMatchObject({
          MaximumRetryAttempts: 2,
          DestinationConfig: {
            OnFailure: { Destination: getAtt(logicalId(built.stateless.eventDeadLetters[name]!.queue)) },
          },
        });
      }
    });

    it('encrypts every queue and alarms on every one of them as soon as a message is in it', () => {
      const queues = resources('AWS::SQS::Queue');
      const alarms = Object.values(resources('AWS::CloudWatch::Alarm'));
      // Relay, analytics projector, flow rules, and one per rule-invoked function.
      expect(Object.keys(queues)).toHaveLength(3 + EVENT_FUNCTIONS.length);
      for (const [id, queue] of Object.entries(queues)) {
        expect(queue.Properties, id).toMatchObject({ SqsManagedSseEnabled: true });
        const alarm = alarms.find(
          (a) =>
            a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' &&
            JSON.stringify(a.Properties.Dimensions) ===
              JSON.stringify([{ Name: 'QueueName', Value: getAtt(id, 'QueueName') }]),
        );
        expect(alarm?.Properties, id).toMatchObject({ Threshold: 1, AlarmActions: [importOf(/AlarmTopic/)] });
      }
    });
  });

  it('reports no unacknowledged cdk-nag finding with the SES identity and the send grant', () => {
    expect(new AwsSolutionsChecks().validateScope(built.app).violations).toEqual([]);
  });

  describe('Operations', () => {
    it('has one dashboard with the API, ingest, relay lag, flows, SES and dead-letter queues', () => {
      const [dashboard] = Object.values(resources('AWS::CloudWatch::Dashboard'));
      expect(dashboard.Properties.DashboardName).toBe('stageflow-dev');
      const body = JSON.stringify(dashboard.Properties.DashboardBody);
      for (const metric of [
        'Count',
        'Latency',
        '5xx',
        'IteratorAge',
        'ExecutionsStarted',
        'ExecutionsFailed',
        'Reputation.BounceRate',
        'Reputation.ComplaintRate',
        'Send',
        'Bounce',
        'Complaint',
        'ApproximateNumberOfMessagesVisible',
      ]) {
        expect(body, metric).toContain(`\\"${metric}\\"`);
      }
    });

    it('seeds the defaults on every deploy with a Trigger, after the API and the flows exist', () => {
      const [trigger] = Object.values(resources('Custom::Trigger'));
      expect(trigger.Properties).toMatchObject({
        HandlerArn: { Ref: expect.stringMatching(/^SeedDefaultsFunctionCurrentVersion/) },
        InvocationType: 'RequestResponse',
        ExecuteOnHandlerChange: true,
        RunId: 'run-1',
      });
      const dependsOn = trigger.DependsOn ?? [];
      expect(dependsOn).toContain(logicalId(built.stateless.api));
      for (const machine of Object.values(built.stateless.flows.stateMachines)) {
        expect(dependsOn).toContain(logicalId(machine));
      }
      expect(envOf('seedDefaults').STAGEFLOW_TEMPLATE_PREFIX).toBe('stageflow-dev-');
    });
  });
});

describe('The dev app without a sender, with a public URL', () => {
  it('creates no identity and grants no sending, and uses the configured public URL', () => {
    const { stateful, stateless, statementsOf, envOf } = synth({
      'stageflow:publicUrl': 'https://api.shop.example/',
    });
    stateful.resourceCountIs('AWS::SES::EmailIdentity', 0);
    stateful.resourceCountIs('AWS::SES::ConfigurationSet', 1);
    expect(statementsOf('flowSend').flatMap(actions)).not.toContain('ses:SendEmail');
    expect(envOf('flowSend').STAGEFLOW_SENDER).toBeUndefined();
    expect(envOf('flowSend').STAGEFLOW_PUBLIC_URL).toBe('https://api.shop.example');
    expect(envOf('templates').STAGEFLOW_PUBLIC_URL).toBe('https://api.shop.example');
    stateless.hasOutput('PublicUrl', { Value: 'https://api.shop.example' });
    // Without a run id the Trigger's RunId is the synth time, so every deploy seeds again.
    const [trigger] = Object.values(stateless.findResources('Custom::Trigger') as Resources);
    expect(Date.parse(trigger.Properties.RunId)).toBeGreaterThan(Date.now() - 600_000);
  });
});
