import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  type HttpRoute,
  type HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConfigurationSet } from 'aws-cdk-lib/aws-ses';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Trigger } from 'aws-cdk-lib/triggers';
import type { Construct, IConstruct } from 'constructs';
import { sesEventsRulePattern } from '../lib/consent/ses-events.js';
import {
  AUTHORIZER,
  FUNCTIONS,
  type FunctionName,
  type FunctionSpec,
  ROUTES,
  type Route,
} from '../lib/http/routes.js';
import { TABLE_INDEXES, type TableIndexName } from '../lib/storage/table.js';
import { AnalyticsPipeline } from './analytics-pipeline.js';
import { DeadLetterQueue } from './dead-letter.js';
import { EventPipeline } from './event-pipeline.js';
import { cdkPattern, Flows } from './flows.js';
import { OperationsDashboard, SesReputation } from './operations.js';
import { fromAddress, type StageflowSettings } from './settings.js';

/** The repository root: function entries in FUNCTIONS are relative to it. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The table indexes a function queries (DynamoDbCustomerLists: GET /v1/customers). */
export const INDEX_QUERIES: Partial<Record<FunctionName, readonly TableIndexName[]>> = {
  customers: TABLE_INDEXES.map((index) => index.name),
};

/**
 * The table access each function's code needs, action by action. Keyed by FunctionName, so
 * a new entry in FUNCTIONS does not compile until someone decides what it may do.
 * TransactWriteItems is authorised per item (PutItem, DeleteItem, ConditionCheckItem).
 */
export const TABLE_ACCESS: Record<FunctionName, { read: readonly string[]; write: readonly string[] }> = {
  // DynamoDbJourneyStore (snapshot, history, commit, claimAlias, moveHistory) and the key lookup.
  ingest: {
    read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
    write: [
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:BatchWriteItem',
    ],
  },
  // ReadCustomers (profile, alias, touchpoints, transitions), the message log (Query) and the key
  // lookup; DynamoDbCustomerData: export (Query, BatchGetItem) and erasure (BatchWriteItem deletes,
  // then one TransactWriteItems: Delete of the profile, Update of the STATS counters).
  customers: {
    read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
    write: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
  },
  // One GetItem of a key nothing writes: healthy means the table answers.
  health: { read: ['dynamodb:GetItem'], write: [] },
  // Serves the bundled OpenAPI document; no I/O.
  openapi: { read: [], write: [] },
  // The Lambda authorizer: DynamoDbKeyStore.get, one GetItem per uncached key.
  authorize: { read: ['dynamodb:GetItem'], write: [] },
  // DynamoDbCampaignStore (head/version reads, TransactWrite of head + version, status updates);
  // SES: ses:GetEmailTemplate (campaign steps must name an existing template).
  campaigns: {
    read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
    write: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
  },
  // Template API: campaigns that use a template (Query), the customer for a preview; the rest is
  // SES: ses:ListEmailTemplates, Get/Create/Update/DeleteEmailTemplate, TestRenderEmailTemplate,
  // and secretsmanager:GetSecretValue on the unsubscribe secret (the preview's unsubscribe link).
  templates: { read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'], write: [] },
  // DynamoDbKeyStore: list (Query), create (PutItem), revoke (UpdateItem).
  keys: { read: ['dynamodb:Query'], write: ['dynamodb:PutItem', 'dynamodb:UpdateItem'] },
  // DynamoDbConsentStore: snapshot (BatchGetItem), unsubscribe (TransactWrite: ConditionCheck on
  // PROFILE + Update of CONSENT); secretsmanager:GetSecretValue on the unsubscribe secret.
  unsubscribe: {
    read: ['dynamodb:BatchGetItem'],
    write: ['dynamodb:ConditionCheckItem', 'dynamodb:UpdateItem'],
  },
  // ReadAnalytics: aggregate and in-flight items (Query), and the key lookup (GetItem).
  analytics: { read: ['dynamodb:GetItem', 'dynamodb:Query'], write: [] },
  // DynamoDbAnalyticsStore: the customer's partition (Query) and contribution (BatchGetItem); one
  // TransactWriteItems of the contribution (Put or Delete) and ADDs (Update); in-flight marks
  // (BatchWriteItem). AnalyticsPipeline grants the stream.
  // Then the changed customer's conversions (lib/measurement/conversions.ts): assignments and
  // history (Query), the assignment (GetItem), one TransactWriteItems of a ConditionCheck on the
  // profile, the assignment's Update and the counters' ADD (Update).
  projectAnalytics: {
    read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
    write: [
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
      'dynamodb:UpdateItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:ConditionCheckItem',
    ],
  },
  // ReadMeasurement: counters and campaign heads (Query), campaign versions (BatchGetItem), the
  // settings and marketing switch items (GetItem); PATCH /v1/settings writes the settings item
  // (UpdateItem) and the switch (PutItem, conditional on its version).
  measurement: {
    read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
    write: ['dynamodb:UpdateItem', 'dynamodb:PutItem'],
  },
  // Reads the table's stream, never the table: EventPipeline grants the stream and the bus.
  relayOutbox: { read: [], write: [] },
  // Starts executions (states:StartExecution, granted by Flows); first drops a stale event:
  // campaign heads (Query), the profile (BatchGetItem), skip counters (ADD).
  startFlow: { read: ['dynamodb:BatchGetItem', 'dynamodb:Query'], write: ['dynamodb:UpdateItem'] },
  // DynamoDbConsentStore.suppress: one conditional PutItem per suppressed address. Its rule is
  // sesEventsRulePattern(configurationSetName) (lib/consent/ses-events.ts) on the default bus.
  sesEvents: { read: [], write: ['dynamodb:PutItem'] },
  // Campaign heads (Query), profile (BatchGetItem), history (Query); holdout and paused traces and
  // cycle claims (a Put with a ConditionCheck that the customer still exists); skip counters (ADD).
  flowPlan: {
    read: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    write: ['dynamodb:PutItem', 'dynamodb:ConditionCheckItem', 'dynamodb:UpdateItem'],
  },
  // Campaign version, profile, consent (BatchGetItem), history (Query); message claims and the
  // frequency-cap ledger (GetItem; TransactWriteItems of a Put with a ConditionCheck that the
  // customer still exists); the marketing switch item (GetItem, isMarketingPaused). SES sending
  // and the secret: SERVICE_ACCESS.
  // Measurement: the settings and the customer's GLOBAL item (GetItem); assignments (a Put with
  // the counters' ADD, Update); message records are Updates so SES engagement on the item survives.
  flowSend: {
    read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
    write: ['dynamodb:PutItem', 'dynamodb:ConditionCheckItem', 'dynamodb:UpdateItem'],
  },
  // Publishes Reward Issued only (events:PutEvents, SERVICE_ACCESS).
  issueRewards: { read: [], write: [] },
  // ManageCampaigns.seed: DynamoDbCampaignStore.create, a TransactWrite of two conditional Puts.
  seedDefaults: { read: [], write: ['dynamodb:PutItem'] },
  // DynamoDbMarketingSwitch: read the SETTINGS/MARKETING item, write it back conditionally.
  marketingSwitch: { read: ['dynamodb:GetItem'], write: ['dynamodb:PutItem'] },
};

/**
 * What each function's code calls besides the table, decided per function like TABLE_ACCESS.
 * SES template actions apply to this deployment's templates only (`template/<prefix>*`).
 */
export interface ServiceAccess {
  /** SES v2 template actions, on `template/stageflow-<stage>-*`. */
  templates?: readonly string[];
  /** ses:ListEmailTemplates, which has no resource-level permission (resource "*"). */
  listTemplates?: true;
  /** ses:SendEmail from the sender address, with the configuration set and this deployment's templates. */
  sendMail?: true;
  /** secretsmanager:GetSecretValue on the unsubscribe secret (signing or checking links). */
  unsubscribeSecret?: true;
  /** events:PutEvents on the Stageflow bus. */
  putEvents?: true;
  /** Needs EVENT_BUS_NAME without publishing (the flow wiring builds its publisher eagerly). */
  busName?: true;
  /** Needs the mail settings: sender, configuration set, template prefix, public URL. */
  mailSettings?: true;
}

export const SERVICE_ACCESS: Record<FunctionName, ServiceAccess> = {
  ingest: {},
  customers: {},
  health: {},
  openapi: {},
  keys: {},
  authorize: {},
  // ManageCampaigns: a campaign's steps must name existing templates (GetEmailTemplate).
  campaigns: { templates: ['ses:GetEmailTemplate'], mailSettings: true },
  // SesTemplateStore (list, get, update-or-create, delete, test render); the preview signs an
  // unsubscribe link.
  templates: {
    templates: [
      'ses:GetEmailTemplate',
      'ses:CreateEmailTemplate',
      'ses:UpdateEmailTemplate',
      'ses:DeleteEmailTemplate',
      'ses:TestRenderEmailTemplate',
    ],
    listTemplates: true,
    unsubscribeSecret: true,
    mailSettings: true,
  },
  // Checks the link's HMAC.
  unsubscribe: { unsubscribeSecret: true, mailSettings: true },
  analytics: {},
  projectAnalytics: {},
  // Campaign reads go through the campaigns wiring, which needs the mail settings.
  measurement: { mailSettings: true },
  // EventPipeline grants the stream and the bus.
  relayOutbox: {},
  // Flows grants states:StartExecution on the five state machines.
  startFlow: {},
  sesEvents: {},
  flowPlan: { busName: true, mailSettings: true },
  // TemplateMailer: SendEmail with a stored template; every mail links its unsubscribe URL.
  flowSend: { sendMail: true, unsubscribeSecret: true, busName: true, mailSettings: true },
  issueRewards: { putEvents: true, mailSettings: true },
  // ManageTemplates.seed: CreateEmailTemplate for each missing default (AlreadyExists = keep).
  seedDefaults: { templates: ['ses:CreateEmailTemplate'], mailSettings: true },
  marketingSwitch: {},
};

/** The prefix of every SES template a deployment owns, so dev and prod can share an account. */
export const templatePrefix = (stage: string) => `stageflow-${stage}-`;

/** Reading a table encrypted with our key needs Decrypt; writing also needs to encrypt. */
const KEY_READ = ['kms:Decrypt', 'kms:DescribeKey'];
const KEY_WRITE = ['kms:Encrypt', 'kms:GenerateDataKey'];

export interface StatelessStackProps extends StackProps {
  settings: StageflowSettings;
  table: ITable;
  dataKey: IKey;
  alarmTopic: ITopic;
  /** The custom bus the outbox relay publishes to (EventPipeline) and the flow rules listen on. */
  eventBus: IEventBus;
  /** Every mail is sent with it; its events reach the default bus (rule → sesEvents). */
  configurationSet: IConfigurationSet;
  /** The unsubscribe-link HMAC key. */
  unsubscribeSecret: ISecret;
  /**
   * The API's authorizer on every route not marked `public` in ROUTES. Default: the Lambda
   * authorizer FUNCTIONS.authorize, configured by AUTHORIZER (lib/http/routes.ts).
   */
  authorizer?: IHttpRouteAuthorizer;
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

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    // Exports/imports: CloudFormation refuses to delete the stateful stack while this one uses it.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const { settings } = props;

    this.functions = Object.fromEntries(
      (Object.keys(FUNCTIONS) as FunctionName[]).map((name) => [name, this.createFunction(name, props)]),
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
    this.apiStage = this.createStage(settings);
    this.addRoutes(props.authorizer ?? this.keyAuthorizer(settings));
    this.createAlarms(settings, props.alarmTopic);
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

    // SES publishes bounces, complaints, deliveries and rejects to the default bus; bounces and
    // complaints of this configuration set go to sesEvents, which suppresses the address.
    new Rule(this, 'SesEventsRule', {
      ruleName: `stageflow-${settings.stage}-ses-events`,
      description: 'SES bounces and complaints of the Stageflow configuration set to the suppression list',
      eventPattern: cdkPattern(sesEventsRulePattern(props.configurationSet.configurationSetName)),
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

    new CfnOutput(this, 'ApiUrl', { value: this.apiStage.url });
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

  private createFunction(name: FunctionName, props: StatelessStackProps): NodejsFunction {
    const def = FUNCTIONS[name];
    const { settings, table, dataKey } = props;
    const id = pascal(name);

    const logGroup = new LogGroup(this, `${id}Logs`, {
      retention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
    });
    // An own role instead of AWSLambdaBasicExecutionRole: it may write to its log group only.
    const role = new Role(this, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Stageflow ${settings.stage} ${name} function`,
    });
    logGroup.grantWrite(role);

    const access = TABLE_ACCESS[name];
    const tableActions = [...access.read, ...access.write];
    if (tableActions.length > 0) {
      role.addToPrincipalPolicy(new PolicyStatement({ actions: tableActions, resources: [table.tableArn] }));
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: access.write.length > 0 ? [...KEY_READ, ...KEY_WRITE] : KEY_READ,
          resources: [dataKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${this.region}.amazonaws.com` } },
        }),
      );
    }

    const indexes = INDEX_QUERIES[name] ?? [];
    if (indexes.length > 0) {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: indexes.map((index) => `${table.tableArn}/index/${index}`),
        }),
      );
    }

    this.grantServices(name, role, props);

    const fn = new NodejsFunction(this, `${id}Function`, {
      entry: join(ROOT, def.entry),
      handler: 'handler',
      description: `Stageflow ${settings.stage}: ${def.description}`,
      // The newest Node.js LTS Lambda and aws-cdk-lib offer; package.json `engines` covers it.
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: def.memoryMb,
      timeout: Duration.seconds(def.timeoutSeconds),
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      tracing: Tracing.ACTIVE,
      environment: {
        TABLE_NAME: table.tableName,
        STAGEFLOW_RETENTION_DAYS: String(settings.retentionDays),
        STAGEFLOW_STAGE: settings.stage,
        STAGEFLOW_REPORT_TIMEZONE: settings.reportTimeZone,
        STAGEFLOW_CURRENCY: settings.currency,
        NODE_OPTIONS: '--enable-source-maps',
        ...this.serviceEnvironment(name, props),
      },
      projectRoot: ROOT,
      depsLockFilePath: join(ROOT, 'package-lock.json'),
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // The Node.js 24 runtime ships SDK v3; bundling it would add about 340 KB to every function.
        externalModules: ['@aws-sdk/*'],
        // Bundled CommonJS that require()s a Node built-in throws in ESM output without this.
        // No current dependency needs it; it keeps the next one from failing only once deployed.
        banner: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
      },
    });
    // X-Ray's PutTraceSegments and PutTelemetryRecords have no resource-level permissions.
    // The infra test checks that these are the only actions granted on "*".
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only the X-Ray write actions, which do not support resource-level permissions, use "*".',
    });
    return fn;
  }

  /** SERVICE_ACCESS as policy statements on the function's role. */
  private grantServices(name: FunctionName, role: Role, props: StatelessStackProps): void {
    const access = SERVICE_ACCESS[name];
    const sesArn = (resource: string, resourceName: string) =>
      this.formatArn({ service: 'ses', resource, resourceName });
    const templates = sesArn('template', `${templatePrefix(props.settings.stage)}*`);
    if (access.templates?.length || access.sendMail) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:template/${templatePrefix(props.settings.stage)}*]`,
        reason:
          "The deployment's own SES templates, by their prefix: marketers create templates at run time, " +
          'so their names are not known at deploy time.',
      });
    }
    if (access.templates?.length) {
      role.addToPrincipalPolicy(
        new PolicyStatement({ actions: [...access.templates], resources: [templates] }),
      );
    }
    if (access.listTemplates) {
      role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['ses:ListEmailTemplates'], resources: ['*'] }),
      );
    }
    if (access.sendMail && props.settings.sender) {
      // SES v2 SendEmail authorizes the sending identity, the configuration set and the stored
      // template (v1's SendTemplatedEmail is not involved). The identity is any in the account,
      // but only From the configured address: which identity SES checks for an address at a
      // verified domain (and, in the sandbox, for each verified recipient) varies.
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['ses:SendEmail'],
          resources: [
            sesArn('identity', '*'),
            sesArn('configuration-set', props.configurationSet.configurationSetName),
            templates,
          ],
          conditions: { StringEquals: { 'ses:FromAddress': fromAddress(props.settings.sender) } },
        }),
      );
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
        reason:
          'ses:SendEmail on identities only with the condition ses:FromAddress = the configured sender: ' +
          'SES may authorize the domain or the address identity, and in the sandbox each recipient.',
      });
    }
    if (access.unsubscribeSecret) {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [props.unsubscribeSecret.secretArn],
        }),
      );
    }
    if (access.putEvents) {
      role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['events:PutEvents'], resources: [props.eventBus.eventBusArn] }),
      );
    }
  }

  /** The environment SERVICE_ACCESS implies (STAGEFLOW_PUBLIC_URL is added once the API exists). */
  private serviceEnvironment(name: FunctionName, props: StatelessStackProps): Record<string, string> {
    const access = SERVICE_ACCESS[name];
    const { settings } = props;
    return {
      ...(access.mailSettings
        ? {
            STAGEFLOW_TEMPLATE_PREFIX: templatePrefix(settings.stage),
            SES_CONFIGURATION_SET: props.configurationSet.configurationSetName,
            ...(settings.sender ? { STAGEFLOW_SENDER: fromAddress(settings.sender) } : {}),
          }
        : {}),
      ...(access.unsubscribeSecret
        ? { STAGEFLOW_UNSUBSCRIBE_SECRET_ARN: props.unsubscribeSecret.secretArn }
        : {}),
      ...(access.putEvents || access.busName ? { EVENT_BUS_NAME: props.eventBus.eventBusName } : {}),
    };
  }

  private createStage(settings: StageflowSettings): HttpStage {
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
    });
    return this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: settings.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // The route template, never the raw path: paths carry customer ids, which may be emails.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            sourceIp: '$context.identity.sourceIp',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
            error: '$context.error.message',
          }),
        ),
      },
    });
  }

  /**
   * The Lambda authorizer (REQUEST, payload 2.0, simple responses), configured by AUTHORIZER: no
   * identity source, so every request reaches it and a missing key is a problem+json 401 too.
   */
  private keyAuthorizer(settings: StageflowSettings): IHttpRouteAuthorizer {
    return new HttpLambdaAuthorizer('ApiKeyAuthorizer', this.functions[AUTHORIZER.function], {
      authorizerName: `stageflow-${settings.stage}-api-key`,
      identitySource: AUTHORIZER.identitySource ? [AUTHORIZER.identitySource] : [],
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      resultsCacheTtl: Duration.seconds(AUTHORIZER.cacheTtlSeconds),
    });
  }

  private addRoutes(authorizer: IHttpRouteAuthorizer): void {
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    const integrationOf = (name: FunctionName) => {
      let integration = integrations.get(name);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${pascal(name)}Integration`, this.functions[name]);
        integrations.set(name, integration);
      }
      return integration;
    };
    for (const route of ROUTES) {
      const [created] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrationOf(route.fn),
        // Public routes say so explicitly, so a default authorizer added later cannot cover them.
        authorizer: route.public ? new HttpNoneAuthorizer() : authorizer,
      });
      if (route.public) acknowledgePublicRoute(created, route);
    }
  }

  private createAlarms(settings: StageflowSettings, topic: ITopic): void {
    const action = new SnsAction(topic);
    const alarm = (id: string, what: string, metric: IMetric, threshold: number, description: string) => {
      const created = new Alarm(this, id, {
        alarmName: `stageflow-${settings.stage}-${what}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
    };
    const period = Duration.minutes(5);

    alarm(
      'Api5xxAlarm',
      'api-5xx',
      this.api.metricServerError({ period, statistic: 'Sum' }),
      5,
      'The HTTP API answered 5xx at least 5 times in 5 minutes',
    );
    for (const [name, fn] of Object.entries(this.functions)) {
      const id = pascal(name);
      alarm(
        `${id}ErrorsAlarm`,
        `${name}-errors`,
        fn.metricErrors({ period, statistic: 'Sum' }),
        1,
        `The ${name} function failed (crash or timeout); handled errors show as API 5xx`,
      );
      alarm(
        `${id}ThrottlesAlarm`,
        `${name}-throttles`,
        fn.metricThrottles({ period, statistic: 'Sum' }),
        1,
        `The ${name} function was throttled: account or reserved concurrency is exhausted`,
      );
    }
  }
}

function acknowledgePublicRoute(route: HttpRoute, spec: Route): void {
  const why = spec.path.startsWith('/v1/unsubscribe/')
    ? 'the one-click unsubscribe (RFC 8058) needs no key; the HMAC token in the path is the credential.'
    : spec.path === '/health'
      ? 'the health check needs no key and reads one fixed item, the cheapest proof the table answers.'
      : 'it serves public, static content (the OpenAPI document) and reads nothing.';
  Validations.of(route).acknowledge({
    id: 'AwsSolutions-APIG4',
    reason: `Public by design (marked public in ROUTES): ${why}`,
  });
}

const logicalIdOf = (construct: IConstruct) =>
  Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
