import {
  type CfnElement,
  CfnOutput,
  type CfnResource,
  CrossStackReferences,
  type CustomResource,
  Duration,
  ReferenceStrength,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import {
  CorsHttpMethod,
  HttpApi,
  type HttpStage,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import type { IUserPool, UserPoolDomain } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConfigurationSet } from 'aws-cdk-lib/aws-ses';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Trigger } from 'aws-cdk-lib/triggers';
import type { Construct, IConstruct } from 'constructs';
import { engagementRulePattern } from '../lib/engagement/ses-event.js';
import { FUNCTIONS, type FunctionName, type FunctionSpec, ROUTES } from '../lib/http/routes.js';
import { AnalyticsPipeline } from './analytics-pipeline.js';
import { ConsoleHosting } from './console-hosting.js';
import { ConsoleSignIn } from './console-users.js';
import { DeadLetterQueue } from './dead-letter.js';
import { EventPipeline } from './event-pipeline.js';
import { cdkPattern, Flows } from './flows.js';
import { SERVICE_ACCESS } from './function-access.js';
import { addRoutes, createAlarms, createStage, keyAuthorizer } from './http-api.js';
import { createFunction, pascal } from './lambda-functions.js';
import { OperationsDashboard, SesReputation } from './operations.js';
import type { StageflowSettings } from './settings.js';

export interface StatelessStackProps extends StackProps {
  settings: StageflowSettings;
  table: ITable;
  dataKey: IKey;
  alarmTopic: ITopic;
  /** The custom bus the outbox relay publishes to (EventPipeline) and the flow rules listen on. */
  eventBus: IEventBus;
  /** Every mail is sent with it; its events reach the default bus (rule → sesEvents). */
  configurationSet: IConfigurationSet;
  /** For customers whose trackingConsent is false: no open pixel, no rewritten links. */
  untrackedConfigurationSet: IConfigurationSet;
  /** The unsubscribe-link HMAC key. */
  unsubscribeSecret: ISecret;
  /**
   * The API's authorizer on every route not marked `public` in ROUTES. Default: the Lambda
   * authorizer FUNCTIONS.authorize, configured by AUTHORIZER (lib/http/routes.ts).
   */
  authorizer?: IHttpRouteAuthorizer;
  /** The console's users (stateful stack): the authorizer accepts their access tokens. */
  userPool: IUserPool;
  /** Its managed login domain, where the console sends people to sign in. */
  userPoolDomain: UserPoolDomain;
}

/** Functions, HTTP API and alarms: everything that can be replaced without losing data. */
export class StatelessStack extends Stack {
  readonly functions: Record<FunctionName, NodejsFunction>;
  readonly api: HttpApi;
  readonly apiStage: HttpStage;
  readonly flows: Flows;
  readonly eventPipeline: EventPipeline;
  readonly analyticsPipeline: AnalyticsPipeline;
  readonly reputation: SesReputation;
  /** The async-invocation failure queue of every 'event' function, also its rules' DLQ. */
  readonly eventDeadLetters: Partial<Record<FunctionName, DeadLetterQueue>>;
  readonly seedTrigger: Trigger;
  /** The console's bucket and the CloudFront distribution in front of it and the API. */
  readonly console: ConsoleHosting;
  readonly consoleSignIn: ConsoleSignIn;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    // Exports/imports: CloudFormation refuses to delete the stateful stack while this one uses it.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const { settings } = props;

    this.functions = Object.fromEntries(
      (Object.keys(FUNCTIONS) as FunctionName[]).map((name) => [name, createFunction(this, name, props)]),
    ) as Record<FunctionName, NodejsFunction>;

    this.api = new HttpApi(this, 'HttpApi', {
      apiName: `stageflow-${settings.stage}`,
      description: 'Stageflow touchpoint and customer API',
      createDefaultStage: false,
      corsPreflight:
        settings.corsOrigins.length > 0
          ? {
              allowOrigins: settings.corsOrigins,
              // Every method a route has (the console edits with PUT, PATCH and DELETE), and the
              // headers of optimistic locking.
              allowMethods: [...new Set(ROUTES.map((r) => CorsHttpMethod[r.method])), CorsHttpMethod.OPTIONS],
              allowHeaders: ['authorization', 'content-type', 'if-match'],
              exposeHeaders: ['etag', 'location', 'retry-after'],
              maxAge: Duration.hours(1),
            }
          : undefined,
    });
    this.apiStage = createStage(this, this.api, settings);
    addRoutes(this.api, this.functions, props.authorizer ?? keyAuthorizer(this.functions, settings));
    createAlarms(this, this.api, this.functions, settings, props.alarmTopic);
    // Unsubscribe links point at the API. Its execute-api URL refers to the Api resource only,
    // which depends on no function, so functions may name it without a cycle (the routes'
    // integrations depend on the functions, not the Api on them).
    const publicUrl = settings.publicUrl ?? this.api.apiEndpoint;
    for (const name of Object.keys(FUNCTIONS) as FunctionName[]) {
      if (SERVICE_ACCESS[name].mailSettings)
        this.functions[name].addEnvironment('STAGEFLOW_PUBLIC_URL', publicUrl);
    }
    this.eventPipeline = new EventPipeline(this, 'EventPipeline', {
      stage: settings.stage,
      relay: this.functions.relayOutbox,
      table: props.table,
      dataKey: props.dataKey,
      bus: props.eventBus,
      alarmTopic: props.alarmTopic,
    });

    // The stream's second reader: two per shard is DynamoDB Streams' limit, so nothing else may read it.
    this.analyticsPipeline = new AnalyticsPipeline(this, 'AnalyticsPipeline', {
      stage: settings.stage,
      projector: this.functions.projectAnalytics,
      table: props.table,
      dataKey: props.dataKey,
      alarmTopic: props.alarmTopic,
    });
    // The reports count what still waits in the stream from the projector's IteratorAge.
    for (const name of Object.keys(FUNCTIONS) as FunctionName[]) {
      if (SERVICE_ACCESS[name].projectorLag)
        this.functions[name].addEnvironment(
          'STAGEFLOW_ANALYTICS_PROJECTOR_FUNCTION',
          this.functions.projectAnalytics.functionName,
        );
    }

    // Asynchronous invocations (EventBridge rules) that still fail after Lambda's two retries
    // land in the function's dead-letter queue; the rules deliver there too when they give up.
    this.eventDeadLetters = {};
    for (const name of Object.keys(FUNCTIONS) as FunctionName[]) {
      if ((FUNCTIONS[name] as FunctionSpec).trigger !== 'event') continue;
      const dlq = new DeadLetterQueue(this, `${pascal(name)}DeadLetter`, {
        stage: settings.stage,
        name: kebab(name),
        description:
          `Events the ${name} function could not handle (after retries) or its rule could not ` +
          'deliver. The message holds the event; replay it once the cause is fixed.',
        alarmTopic: props.alarmTopic,
      });
      this.functions[name].configureAsyncInvoke({
        onFailure: new SqsDestination(dlq.queue),
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
      });
      this.eventDeadLetters[name] = dlq;
    }
    const dlqOf = (name: FunctionName): IQueue => {
      const dlq = this.eventDeadLetters[name];
      if (!dlq) throw new Error(`${name} is not an 'event' function`);
      return dlq.queue;
    };

    this.flows = new Flows(this, 'Flows', {
      stage: settings.stage,
      bus: props.eventBus,
      functions: {
        plan: this.functions.flowPlan,
        send: this.functions.flowSend,
        rewards: this.functions.issueRewards,
      },
      starter: this.functions.startFlow,
      alarmTopic: props.alarmTopic,
      logRetention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
    });
    // The starter names the machine by flow; the names are fixed, so no reference is needed.
    this.functions.startFlow.addEnvironment(
      'FLOW_STATE_MACHINE_ARN_PREFIX',
      `arn:${this.partition}:states:${this.region}:${this.account}:stateMachine:stageflow-${settings.stage}-`,
    );
    for (const machine of Object.values(this.flows.stateMachines)) {
      // What CDK writes for a Standard state machine with Lambda tasks, X-Ray and logging.
      Validations.of(machine.role).acknowledge(
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'X-Ray writes and CloudWatch Logs vended delivery (logs:CreateLogDelivery etc.) support no ' +
            'resource-level permissions; CDK grants them for tracing and logging at level ALL.',
        },
        ...[this.functions.flowPlan, this.functions.flowSend, this.functions.issueRewards].map((fn) => ({
          id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(fn)}.Arn>:*]`,
          reason:
            'lambda:InvokeFunction on the task function and its versions and aliases (<arn>:*), as CDK ' +
            'grants it for a LambdaInvoke task; no other function.',
        })),
      );
    }

    // SES publishes every event of both configuration sets to the default bus; sesEvents
    // suppresses on bounces and complaints and records every event as engagement.
    new Rule(this, 'SesEventsRule', {
      ruleName: `stageflow-${settings.stage}-ses-events`,
      description: 'Every SES event of the Stageflow configuration sets: suppression and engagement',
      eventPattern: cdkPattern(
        engagementRulePattern([
          props.configurationSet.configurationSetName,
          props.untrackedConfigurationSet.configurationSetName,
        ]),
      ),
      targets: [
        new LambdaTarget(this.functions.sesEvents, {
          deadLetterQueue: dlqOf('sesEvents'),
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
    this.reputation = new SesReputation(this, 'SesReputation', {
      stage: settings.stage,
      alarmTopic: props.alarmTopic,
      marketingSwitch: this.functions.marketingSwitch,
      deadLetterQueue: dlqOf('marketingSwitch'),
    });

    new OperationsDashboard(this, 'Operations', {
      stage: settings.stage,
      api: this.api,
      ingest: this.functions.ingest,
      relay: this.functions.relayOutbox,
      projector: this.functions.projectAnalytics,
      stateMachines: this.flows.stateMachines,
      deadLetterQueues: {
        'outbox relay': this.eventPipeline.deadLetterQueue,
        'analytics projector': this.analyticsPipeline.deadLetterQueue,
        'flow rules': this.flows.deadLetterQueue,
        ...Object.fromEntries(Object.entries(this.eventDeadLetters).map(([name, d]) => [name, d.queue])),
      },
      reputation: this.reputation,
    });

    this.seedTrigger = this.seedOnEveryDeploy();

    // The console and its sign-in: CloudFront serves it and forwards /v1/* to the API; the app
    // client's callback is the console's URL; the authorizer verifies that client's tokens.
    const cognitoBaseUrl = props.userPoolDomain.baseUrl();
    this.console = new ConsoleHosting(this, 'Console', {
      stage: settings.stage,
      api: this.api,
      cognitoBaseUrl,
    });
    this.consoleSignIn = new ConsoleSignIn(this, 'ConsoleSignIn', {
      userPool: props.userPool,
      consoleUrl: this.console.consoleUrl,
    });
    const clientId = this.consoleSignIn.client.userPoolClientId;
    this.console.deploy({ cognito: { domain: cognitoBaseUrl, clientId, region: this.region } });
    this.functions.authorize.addEnvironment('STAGEFLOW_USER_POOL_ID', props.userPool.userPoolId);
    this.functions.authorize.addEnvironment('STAGEFLOW_USER_POOL_CLIENT_ID', clientId);

    new CfnOutput(this, 'ApiUrl', { value: this.apiStage.url });
    new CfnOutput(this, 'ConsoleUrl', {
      value: this.console.consoleUrl,
      description: 'The marketer console (sign in with a user from `npm run users -- create`)',
    });
    new CfnOutput(this, 'UserPoolClientId', { value: clientId });
    new CfnOutput(this, 'PublicUrl', { value: publicUrl, description: 'Base of the unsubscribe links' });
  }

  /**
   * Seeds the default templates and campaigns (idempotent) once the API and the flows exist.
   * A Trigger runs when its properties change; the run id changes with every synth, so every
   * `cdk deploy` seeds (and shows one changed resource in `cdk diff`). A failure fails the
   * deploy, which rolls back.
   */
  private seedOnEveryDeploy(): Trigger {
    const trigger = new Trigger(this, 'SeedDefaults', {
      handler: this.functions.seedDefaults,
      timeout: Duration.seconds(FUNCTIONS.seedDefaults.timeoutSeconds + 30),
      executeAfter: [this.api, this.apiStage, this.flows],
      executeOnHandlerChange: true,
    });
    const resource = trigger.node.findChild('Default') as CustomResource;
    (resource.node.defaultChild as CfnResource).addPropertyOverride(
      'RunId',
      String(this.node.tryGetContext('stageflow:deployRunId') ?? new Date().toISOString()),
    );
    return trigger;
  }
}

const logicalIdOf = (construct: IConstruct) =>
  Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
