import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, type Stack, Validations } from 'aws-cdk-lib';
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
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConfigurationSet } from 'aws-cdk-lib/aws-ses';
import { FUNCTIONS, type FunctionName } from '../lib/http/routes.js';
import { BUNDLING, bundlingFor, runtimeNodeOptions } from './bundling.js';
import {
  INDEX_QUERIES,
  KEY_READ,
  KEY_WRITE,
  LEADING_KEYS,
  SERVICE_ACCESS,
  TABLE_ACCESS,
  templatePrefix,
} from './function-access.js';
import { fromAddress, type StageflowSettings } from './settings.js';

/** The repository root: function entries in FUNCTIONS are relative to it. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What a function's grants and environment name (the stateless stack's props). */
export interface FunctionResources {
  settings: StageflowSettings;
  table: ITable;
  dataKey: IKey;
  eventBus: IEventBus;
  configurationSet: IConfigurationSet;
  /** For customers whose trackingConsent is false: no open pixel, no rewritten links. */
  untrackedConfigurationSet: IConfigurationSet;
  unsubscribeSecret: ISecret;
}

export const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** One function of FUNCTIONS: its log group, its own role with exactly its grants, and its bundle. */
export function createFunction(scope: Stack, name: FunctionName, props: FunctionResources): NodejsFunction {
  const def = FUNCTIONS[name];
  const { settings, table, dataKey } = props;
  const id = pascal(name);

  const logGroup = new LogGroup(scope, `${id}Logs`, {
    retention: settings.logRetention,
    removalPolicy: settings.removalPolicy,
  });
  // An own role instead of AWSLambdaBasicExecutionRole: it may write to its log group only.
  const role = new Role(scope, `${id}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `Stageflow ${settings.stage} ${name} function`,
  });
  logGroup.grantWrite(role);

  const access = TABLE_ACCESS[name];
  const keyed = LEADING_KEYS[name];
  const tableActions = [...access.read, ...access.write];
  const anyKey = tableActions.filter((action) => !keyed?.actions.includes(action));
  if (tableActions.length > 0) {
    if (anyKey.length > 0)
      role.addToPrincipalPolicy(new PolicyStatement({ actions: anyKey, resources: [table.tableArn] }));
    if (keyed)
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: [...keyed.actions],
          resources: [table.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...keyed.keys] } },
        }),
      );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: access.write.length > 0 ? [...KEY_READ, ...KEY_WRITE] : KEY_READ,
        resources: [dataKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${scope.region}.amazonaws.com` } },
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

  grantServices(scope, name, role, props);

  // No --enable-source-maps unless `stageflow:sourceMaps` is on: it costs init (infra/bundling.ts).
  const nodeOptions = runtimeNodeOptions(settings.sourceMaps);
  const fn = new NodejsFunction(scope, `${id}Function`, {
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
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
      ...serviceEnvironment(name, props),
    },
    projectRoot: ROOT,
    depsLockFilePath: join(ROOT, 'package-lock.json'),
    // infra/bundling.ts: the SDK is bundled (the bench measured the lower init that way).
    bundling: {
      ...bundlingFor(name),
      format: OutputFormat.ESM,
      mainFields: [...BUNDLING.mainFields],
    },
  });
  // X-Ray's PutTraceSegments and PutTelemetryRecords have no resource-level permissions.
  // The infra test checks that these are the only actions granted on "*".
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: SERVICE_ACCESS[name].projectorLag
      ? 'Only the X-Ray write actions and cloudwatch:GetMetricData (read only: the projector lag in the ' +
        'reports), none of which supports resource-level permissions, use "*".'
      : 'Only the X-Ray write actions, which do not support resource-level permissions, use "*".',
  });
  return fn;
}

/** SERVICE_ACCESS as policy statements on the function's role. */
function grantServices(scope: Stack, name: FunctionName, role: Role, props: FunctionResources): void {
  const access = SERVICE_ACCESS[name];
  const sesArn = (resource: string, resourceName: string) =>
    scope.formatArn({ service: 'ses', resource, resourceName });
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
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['ses:ListEmailTemplates'], resources: ['*'] }));
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
          sesArn('configuration-set', props.untrackedConfigurationSet.configurationSetName),
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
  if (access.projectorLag) {
    // GetMetricData has no resource-level permission and no condition key for the metric read.
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }),
    );
  }
  if (access.putEvents) {
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['events:PutEvents'], resources: [props.eventBus.eventBusArn] }),
    );
  }
}

/** The environment SERVICE_ACCESS implies (STAGEFLOW_PUBLIC_URL is added once the API exists). */
function serviceEnvironment(name: FunctionName, props: FunctionResources): Record<string, string> {
  const access = SERVICE_ACCESS[name];
  const { settings } = props;
  return {
    ...(access.mailSettings
      ? {
          STAGEFLOW_TEMPLATE_PREFIX: templatePrefix(settings.stage),
          SES_CONFIGURATION_SET: props.configurationSet.configurationSetName,
          SES_UNTRACKED_CONFIGURATION_SET: props.untrackedConfigurationSet.configurationSetName,
          STAGEFLOW_TRACKING: props.settings.tracking,
          ...(settings.sender ? { STAGEFLOW_SENDER: fromAddress(settings.sender) } : {}),
        }
      : {}),
    ...(access.unsubscribeSecret
      ? { STAGEFLOW_UNSUBSCRIBE_SECRET_ARN: props.unsubscribeSecret.secretArn }
      : {}),
    ...(access.putEvents || access.busName ? { EVENT_BUS_NAME: props.eventBus.eventBusName } : {}),
  };
}
