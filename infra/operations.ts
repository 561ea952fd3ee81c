import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  PeriodOverride,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { alarmStateChangePattern } from '../lib/flows/marketing-switch.js';
import { cdkPattern } from './flows.js';

/**
 * SES reputation thresholds. SES reviews (and may pause) an account above a 5 % bounce or
 * 0.1 % complaint rate; Stageflow pauses its own marketing mail well before that.
 * The metrics are account-wide ratios (0.02 = 2 %), without dimensions.
 */
export const SES_REPUTATION = {
  bounceRate: { metricName: 'Reputation.BounceRate', threshold: 0.02, label: '2 %' },
  complaintRate: { metricName: 'Reputation.ComplaintRate', threshold: 0.0008, label: '0.08 %' },
  period: Duration.hours(1),
} as const;

export const sesMetric = (metricName: string, statistic = 'Sum', period = Duration.minutes(5)) =>
  new Metric({ namespace: 'AWS/SES', metricName, statistic, period });

export interface SesReputationProps {
  stage: string;
  alarmTopic: ITopic;
  /** functions/marketing-switch.ts; its rule target gets `deadLetterQueue`. */
  marketingSwitch: IFunction;
  deadLetterQueue: IQueue;
}

/**
 * The bounce-rate and complaint-rate alarms, and the rule on the default bus that hands their
 * state changes to the marketing switch: marketing mail pauses while either is in ALARM and
 * resumes when both are OK again. Transactional mail is never paused.
 */
export class SesReputation extends Construct {
  readonly bounceAlarm: Alarm;
  readonly complaintAlarm: Alarm;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: SesReputationProps) {
    super(scope, id);
    const action = new SnsAction(props.alarmTopic);
    const alarm = (alarmId: string, what: 'bounce' | 'complaint') => {
      const spec = what === 'bounce' ? SES_REPUTATION.bounceRate : SES_REPUTATION.complaintRate;
      const created = new Alarm(this, alarmId, {
        alarmName: `stageflow-${props.stage}-ses-${what}-rate`,
        alarmDescription:
          `SES ${what} rate ≥ ${spec.label}: marketing mail is paused automatically ` +
          '(SETTINGS/MARKETING item) until both reputation alarms are OK; transactional mail goes on.',
        metric: sesMetric(spec.metricName, 'Maximum', SES_REPUTATION.period),
        threshold: spec.threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No mail, no rate: an account that sends nothing is not in trouble.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      return created;
    };
    this.bounceAlarm = alarm('BounceRateAlarm', 'bounce');
    this.complaintAlarm = alarm('ComplaintRateAlarm', 'complaint');

    this.rule = new Rule(this, 'AlarmStateRule', {
      ruleName: `stageflow-${props.stage}-marketing-switch`,
      description: 'SES reputation alarm state changes to the marketing switch',
      eventPattern: cdkPattern(
        alarmStateChangePattern([this.bounceAlarm.alarmArn, this.complaintAlarm.alarmArn]),
      ),
      targets: [
        new LambdaFunction(props.marketingSwitch, {
          deadLetterQueue: props.deadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
  }
}

export interface OperationsDashboardProps {
  stage: string;
  api: HttpApi;
  ingest: IFunction;
  relay: IFunction;
  /** The analytics projector: its iterator age is how far behind the reports are. */
  projector: IFunction;
  stateMachines: Record<string, StateMachine>;
  deadLetterQueues: Record<string, IQueue>;
  reputation: SesReputation;
}

/** One CloudWatch dashboard for the whole deployment. */
export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const sum = { period, statistic: 'Sum' };
    const machines = Object.entries(props.stateMachines);
    const graph = (title: string, left: IMetric[], right: IMetric[] = [], width = 8) =>
      new GraphWidget({ title, left, right, width, height: 6 });

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `stageflow-${props.stage}`,
      defaultInterval: Duration.hours(24),
      periodOverride: PeriodOverride.AUTO,
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          `# Stageflow ${props.stage}\nAPI, ingest, outbox relay, flows, SES and dead-letter queues. ` +
          'Alarms go to the alarm topic; a bounce or complaint rate alarm also pauses marketing mail.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      graph('API requests', [props.api.metricCount(sum)]),
      graph('API latency (ms)', [
        props.api.metricLatency({ period, statistic: 'p50' }),
        props.api.metricLatency({ period, statistic: 'p99' }),
      ]),
      graph('API errors', [props.api.metricServerError(sum), props.api.metricClientError(sum)]),
    );
    this.dashboard.addWidgets(
      graph(
        'Ingest',
        [
          props.ingest.metricInvocations(sum),
          props.ingest.metricErrors(sum),
          props.ingest.metricThrottles(sum),
        ],
        [props.ingest.metricDuration({ period, statistic: 'p99' })],
      ),
      graph(
        'Outbox relay iterator age (ms)',
        [props.relay.metric('IteratorAge', { period, statistic: 'Maximum' })],
        [props.relay.metricErrors(sum)],
      ),
      // The reports' lagSeconds reads the same metric (and the throttles: a throttled projector
      // hands nothing, so its backlog has no age to read and the reports say the lag is unknown).
      graph(
        'Analytics projector lag: iterator age (ms)',
        [props.projector.metric('IteratorAge', { period, statistic: 'Maximum' })],
        [props.projector.metricErrors(sum), props.projector.metricThrottles(sum)],
      ),
      graph(
        'Flow executions',
        machines.map(([flow, m]) => m.metricStarted({ ...sum, label: `${flow} started` })),
        machines.map(([flow, m]) => m.metricFailed({ ...sum, label: `${flow} failed` })),
      ),
    );
    const rate = (id: string, metricName: string, label: string) =>
      new MathExpression({
        expression: `${id} * 100`,
        usingMetrics: { [id]: sesMetric(metricName, 'Maximum', SES_REPUTATION.period) },
        label,
        period: SES_REPUTATION.period,
      });
    this.dashboard.addWidgets(
      graph(
        'SES mail',
        ['Send', 'Delivery', 'Bounce', 'Complaint', 'Reject'].map((m) => sesMetric(m)),
      ),
      new GraphWidget({
        title: 'SES reputation (%)',
        left: [
          rate('bounce', 'Reputation.BounceRate', 'bounce rate %'),
          rate('complaint', 'Reputation.ComplaintRate', 'complaint rate %'),
        ],
        leftAnnotations: [
          { value: SES_REPUTATION.bounceRate.threshold * 100, label: 'bounce alarm' },
          { value: SES_REPUTATION.complaintRate.threshold * 100, label: 'complaint alarm' },
        ],
        width: 8,
        height: 6,
      }),
      graph(
        'Dead-letter queues (messages)',
        Object.entries(props.deadLetterQueues).map(([name, q]) =>
          q.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum', label: name }),
        ),
      ),
    );
  }
}
