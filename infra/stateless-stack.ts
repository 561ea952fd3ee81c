import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CfnOutput,
  CrossStackReferences,
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
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
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
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { FUNCTIONS, type FunctionName, ROUTES } from '../lib/http/routes.js';
import { EventPipeline } from './event-pipeline.js';
import type { StageflowSettings } from './settings.js';

/** The repository root: function entries in FUNCTIONS are relative to it. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

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
  // ReadCustomers (profile, alias, touchpoints, transitions) and the key lookup.
  customers: { read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'], write: [] },
  health: { read: [], write: [] },
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
  // DynamoDbConsentStore: snapshot (BatchGetItem), unsubscribe (TransactWrite: ConditionCheck on
  // PROFILE + Update of CONSENT); secretsmanager:GetSecretValue on the unsubscribe secret.
  unsubscribe: {
    read: ['dynamodb:BatchGetItem'],
    write: ['dynamodb:ConditionCheckItem', 'dynamodb:UpdateItem'],
  },
  // Reads the table's stream, never the table: EventPipeline grants the stream and the bus.
  relayOutbox: { read: [], write: [] },
  // Starts executions only (states:StartExecution, granted by Flows).
  startFlow: { read: [], write: [] },
  // DynamoDbConsentStore.suppress: one conditional PutItem per suppressed address. Its rule is
  // sesEventsRulePattern(configurationSetName) (lib/consent/ses-events.ts) on the default bus.
  sesEvents: { read: [], write: ['dynamodb:PutItem'] },
  // Campaign heads (Query), profile (BatchGetItem), history (Query); holdout decisions (PutItem).
  flowPlan: { read: ['dynamodb:BatchGetItem', 'dynamodb:Query'], write: ['dynamodb:PutItem'] },
  // Campaign version, profile, consent (BatchGetItem), history (Query); message claims and the
  // frequency-cap ledger (GetItem, PutItem). SES sending is granted by Flows.
  flowSend: {
    read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
    write: ['dynamodb:PutItem'],
  },
  // Publishes Reward Issued only (events:PutEvents, granted by Flows).
  issueRewards: { read: [], write: [] },
};

/** Reading a table encrypted with our key needs Decrypt; writing also needs to encrypt. */
const KEY_READ = ['kms:Decrypt', 'kms:DescribeKey'];
const KEY_WRITE = ['kms:Encrypt', 'kms:GenerateDataKey'];

export interface StatelessStackProps extends StackProps {
  settings: StageflowSettings;
  table: ITable;
  dataKey: IKey;
  alarmTopic: ITopic;
  /** The custom bus the outbox relay publishes to (EventPipeline). */
  eventBus: IEventBus;
  /**
   * The seam for API authorization: when set, every route not marked `public` in ROUTES uses
   * it. Until the Lambda authorizer exists (production issue), the handlers authenticate
   * with the requireKey middleware against the key hashes in the table.
   */
  authorizer?: IHttpRouteAuthorizer;
}

/** Functions, HTTP API and alarms: everything that can be replaced without losing data. */
export class StatelessStack extends Stack {
  readonly functions: Record<FunctionName, NodejsFunction>;
  readonly api: HttpApi;
  readonly apiStage: HttpStage;

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
              allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.OPTIONS],
              allowHeaders: ['authorization', 'content-type'],
              maxAge: Duration.hours(1),
            }
          : undefined,
    });
    this.apiStage = this.createStage(settings);
    this.addRoutes(props.authorizer);
    this.createAlarms(settings, props.alarmTopic);
    new EventPipeline(this, 'EventPipeline', {
      stage: settings.stage,
      relay: this.functions.relayOutbox,
      table: props.table,
      dataKey: props.dataKey,
      bus: props.eventBus,
      alarmTopic: props.alarmTopic,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.apiStage.url });
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

    const fn = new NodejsFunction(this, `${id}Function`, {
      entry: join(ROOT, def.entry),
      handler: 'handler',
      description: `Stageflow ${settings.stage}: ${def.description}`,
      runtime: Runtime.NODEJS_22_X,
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
        NODE_OPTIONS: '--enable-source-maps',
      },
      projectRoot: ROOT,
      depsLockFilePath: join(ROOT, 'package-lock.json'),
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Node.js 22 ships SDK v3; bundling it would add about 340 KB to every function.
        externalModules: ['@aws-sdk/*'],
        // Bundled CommonJS that require()s a Node built-in throws in ESM output without this.
        // No current dependency needs it; it keeps the next one from failing only once deployed.
        banner: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
      },
    });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime Stageflow is built and tested for (supported until 2027-04); ' +
        'moving to Node.js 24 is a deliberate upgrade, not a synth-time default.',
    });
    // X-Ray's PutTraceSegments and PutTelemetryRecords have no resource-level permissions.
    // The infra test checks that these are the only actions granted on "*".
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only the X-Ray write actions, which do not support resource-level permissions, use "*".',
    });
    return fn;
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

  private addRoutes(authorizer: IHttpRouteAuthorizer | undefined): void {
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
      if (route.public || !authorizer) acknowledgeOpenRoute(created, route.public === true);
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

function acknowledgeOpenRoute(route: HttpRoute, isPublic: boolean): void {
  Validations.of(route).acknowledge({
    id: 'AwsSolutions-APIG4',
    reason: isPublic
      ? 'Public by design (marked public in ROUTES): the health check needs no key.'
      : 'Authenticated in the handler: the requireKey middleware checks the SHA-256 key hash in the table. ' +
        'The Lambda authorizer replaces it through StatelessStackProps.authorizer.',
  });
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
