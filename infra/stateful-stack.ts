import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  ConfigurationSet,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { EVENT_SOURCE } from '../events/index.js';
import { projectionOf, TABLE, TABLE_INDEXES } from '../lib/storage/table.js';
import { ConsoleUsers } from './console-users.js';
import type { StageflowSettings } from './settings.js';

export interface StatefulStackProps extends StackProps {
  settings: StageflowSettings;
}

/**
 * What SES publishes to the default event bus for Stageflow's tracked configuration set: every
 * event type Stageflow records (lib/engagement/ses-event.ts, SES_DETAIL_TYPES). With Open and
 * Click in its event destination, SES adds an open pixel and rewrites links.
 */
export const SES_DESTINATION_EVENTS = [
  EmailSendingEvent.SEND,
  EmailSendingEvent.DELIVERY,
  EmailSendingEvent.OPEN,
  EmailSendingEvent.CLICK,
  EmailSendingEvent.BOUNCE,
  EmailSendingEvent.COMPLAINT,
  EmailSendingEvent.REJECT,
  EmailSendingEvent.RENDERING_FAILURE,
  EmailSendingEvent.DELIVERY_DELAY,
] as const;

/**
 * The untracked configuration set's events: the same without Open and Click, so SES adds no
 * pixel and rewrites no link (customers whose trackingConsent is false, STAGEFLOW_TRACKING=off).
 */
export const SES_UNTRACKED_DESTINATION_EVENTS = SES_DESTINATION_EVENTS.filter(
  (e) => e !== EmailSendingEvent.OPEN && e !== EmailSendingEvent.CLICK,
);

/**
 * What must outlive a deployment: the journey table and its key, the event bus with its
 * archive, the alarm topic (its subscriptions are confirmed by people), the SES configuration
 * set and sender identity (verified by people, with DNS records), and the unsubscribe secret
 * (every unsubscribe link ever mailed depends on it). The stateless stack can be destroyed and
 * redeployed at will; this one cannot.
 */
export class StatefulStack extends Stack {
  readonly table: Table;
  /** Encrypts the table, its stream and its backups. */
  readonly dataKey: Key;
  readonly eventBus: EventBus;
  readonly alarmTopic: Topic;
  /** Every Stageflow mail is sent with it; it publishes SES events to the default bus. */
  readonly configurationSet: ConfigurationSet;
  /** The same without open and click tracking (no Open or Click in its event destination). */
  readonly untrackedConfigurationSet: ConfigurationSet;
  /** The sender identity, when `stageflow:sender` is set. */
  readonly senderIdentity?: EmailIdentity;
  /** The unsubscribe-link HMAC key: generated once, never rotated (links in sent mail must keep working). */
  readonly unsubscribeSecret: Secret;
  /** The console's Cognito user pool, its groups and its managed login domain. */
  readonly consoleUsers: ConsoleUsers;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const prefix = `stageflow-${settings.stage}`;

    // A customer-managed key rather than the AWS-managed one: the table holds personal data,
    // and with our own key its policy is ours, every use is attributable in CloudTrail, and
    // disabling it makes the whole data set (table, stream, PITR backups) unreadable at once.
    this.dataKey = new Key(this, 'DataKey', {
      alias: `alias/${prefix}-data`,
      description: `Stageflow ${settings.stage}: journey table, stream and backups`,
      enableKeyRotation: true,
      removalPolicy: settings.removalPolicy,
    });

    // Same keys, billing, stream and TTL as local/dynamodb.ts creates for the local stack.
    // Table rather than TableV2: a global table with a customer-managed key needs a concrete
    // region at synth time, and these stacks stay environment-agnostic (synth works offline).
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.dataKey,
      deletionProtection: settings.removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy: settings.removalPolicy,
    });
    // The customer lists (docs/storage.md). DynamoDB adds one index per table update, so an
    // existing table gets them over several deploys: stageflow:tableIndexes says how many.
    for (const index of TABLE_INDEXES.slice(0, settings.tableIndexes)) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.INCLUDE,
        nonKeyAttributes: projectionOf(index),
      });
    }

    // Stage changes and complaints are published here from the outbox (flows issue).
    this.eventBus = new EventBus(this, 'EventBus', { eventBusName: prefix });
    this.eventBus.archive('Archive', {
      archiveName: `${prefix}-events`,
      description: 'Every Stageflow event, kept 30 days for replay',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(30),
    });

    this.alarmTopic = this.createAlarmTopic(prefix, settings);

    // SES publishes only to the default bus. Bounces and complaints feed the suppression list
    // (sesEvents); deliveries and rejects are there for operators and the dashboard.
    const defaultBus = EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: prefix,
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      // Open and click links on the shop's own domain (a CNAME to SES's tracking host) instead of SES's.
      ...(settings.trackingDomain ? { customTrackingRedirectDomain: settings.trackingDomain } : {}),
    });
    this.configurationSet.addEventDestination('EventBridge', {
      configurationSetEventDestinationName: 'eventbridge',
      destination: EventDestination.eventBus(defaultBus),
      events: [...SES_DESTINATION_EVENTS],
    });
    this.untrackedConfigurationSet = new ConfigurationSet(this, 'UntrackedConfigurationSet', {
      configurationSetName: `${prefix}-untracked`,
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.untrackedConfigurationSet.addEventDestination('EventBridge', {
      configurationSetEventDestinationName: 'eventbridge',
      destination: EventDestination.eventBus(defaultBus),
      events: [...SES_UNTRACKED_DESTINATION_EVENTS],
    });
    if (settings.sender) {
      const isDomain = !settings.sender.includes('@');
      // A domain gets Easy DKIM (three CNAME records, in the outputs); an address is verified
      // by the link SES mails to it.
      this.senderIdentity = new EmailIdentity(this, 'SenderIdentity', {
        identity: isDomain ? Identity.domain(settings.sender) : Identity.email(settings.sender),
        configurationSet: this.configurationSet,
      });
      if (isDomain) {
        this.senderIdentity.dkimRecords.forEach((record, i) => {
          new CfnOutput(this, `DkimRecord${i + 1}`, {
            description: `DKIM CNAME ${i + 1} of 3 for ${settings.sender}: name = value`,
            value: `${record.name} = ${record.value}`,
          });
        });
      }
    }

    // No fixed name: a deleted secret keeps its name for its recovery window, which would
    // block redeploying a destroyed dev stack. The ARN is an output and reaches the functions.
    this.unsubscribeSecret = new Secret(this, 'UnsubscribeSecret', {
      description: 'Stageflow: HMAC key of the one-click unsubscribe links (RFC 8058)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: settings.removalPolicy,
    });
    Validations.of(this.unsubscribeSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the unsubscribe HMAC key would invalidate every unsubscribe link in mail already ' +
        'sent, which RFC 8058 and the law expect to keep working. Only the unsubscribe, templates and ' +
        'flow send functions may read it.',
    });

    this.consoleUsers = new ConsoleUsers(this, 'ConsoleUsers', { settings });
    // `npm run users` finds the pool by this output.
    new CfnOutput(this, 'UserPoolId', { value: this.consoleUsers.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolDomain', {
      value: this.consoleUsers.domain.baseUrl(),
      description: 'The console managed login (Cognito)',
    });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'EventBusName', {
      value: this.eventBus.eventBusName,
      exportName: `${prefix}-event-bus-name`,
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    new CfnOutput(this, 'ConfigurationSetName', { value: this.configurationSet.configurationSetName });
    new CfnOutput(this, 'UntrackedConfigurationSetName', {
      value: this.untrackedConfigurationSet.configurationSetName,
    });
    new CfnOutput(this, 'UnsubscribeSecretArn', { value: this.unsubscribeSecret.secretArn });
  }

  private createAlarmTopic(prefix: string, settings: StageflowSettings): Topic {
    // CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, so the
    // topic has its own key whose policy lets CloudWatch alarms use it.
    const key = new Key(this, 'AlarmKey', {
      alias: `alias/${prefix}-alarms`,
      description: 'Stageflow alarm notifications',
      enableKeyRotation: true,
      // Nothing encrypted with it outlives its messages; dev stacks clean it up too.
      removalPolicy: settings.removalPolicy,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    const topic = new Topic(this, 'AlarmTopic', {
      displayName: `Stageflow ${prefix} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*`,
          },
        },
      }),
    );
    if (settings.alarmEmail) topic.addSubscription(new EmailSubscription(settings.alarmEmail));
    return topic;
  }
}
