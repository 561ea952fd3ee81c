import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbKeyStore } from '../auth/api-keys.js';
import { Authenticator } from '../auth/authenticate.js';
import { dynamoClient, eventBridgeClient, sesClient } from '../aws/clients.js';
import { DynamoDbCampaignStore } from '../campaigns/dynamodb-campaign-store.js';
import { ManageCampaigns } from '../campaigns/manage-campaigns.js';
import { config, eventsConfig } from '../config.js';
import { DynamoDbConsentStore } from '../consent/dynamodb-consent-store.js';
import { ManageConsent } from '../consent/manage-consent.js';
import { secretSource } from '../consent/secrets.js';
import { UnsubscribeTokens } from '../consent/unsubscribe-token.js';
import { ReadCustomers } from '../customers/read-customers.js';
import { EventBridgePublisher } from '../events/eventbridge-publisher.js';
import { OutboxRelay } from '../events/relay.js';
import { DynamoDbJourneyStore } from '../ingest/dynamodb-journey-store.js';
import { IngestTouchpoints } from '../ingest/ingest-touchpoints.js';
import { defaultModel } from '../journey/index.js';
import { FaultInjectingEmailSender } from '../messaging/fault-injecting-sender.js';
import { TemplateMailer } from '../messaging/mailer.js';
import { profileData, templateVariables } from '../messaging/personalise.js';
import { SesEmailSender } from '../messaging/ses-email-sender.js';
import { ManageTemplates } from '../templates/manage-templates.js';
import { SesTemplateStore } from '../templates/ses-template-store.js';

/** One logger per process; structured JSON, never PII (see docs/operations.md). */
export const logger = new Logger({ serviceName: 'stageflow' });

const once = <T>(make: () => T): (() => T) => {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
};

/** The wiring of ports to adapters, built once per process on first use. */
export const container = once(() => {
  const c = config();
  const client = dynamoClient();
  const journeyStore = new DynamoDbJourneyStore(client, c.tableName, c.retentionDays);
  const keyStore = new DynamoDbKeyStore(client, c.tableName);
  const customers = new ReadCustomers(journeyStore);
  const messaging = wireMessaging(c, customers);
  return {
    config: c,
    journeyStore,
    keyStore,
    authenticator: new Authenticator(keyStore, Number(process.env.STAGEFLOW_AUTH_CACHE_MS ?? 30_000)),
    ingest: new IngestTouchpoints(journeyStore, defaultModel),
    customers,
    ...messaging,
  };
});

/** Campaigns, templates, consent and mail: what the flows and the marketer API use. */
function wireMessaging(c: ReturnType<typeof config>, customers: ReadCustomers) {
  const client = dynamoClient();
  const ses = sesClient();
  const tokens = new UnsubscribeTokens(
    secretSource({ value: c.unsubscribeSecret, arn: c.unsubscribeSecretArn }),
  );
  const sesSender = new SesEmailSender(ses, { from: c.sender, configurationSet: c.sesConfigurationSet });
  // The local stack injects SES faults (STAGEFLOW_SES_FAULTS=on); deployed stacks never do.
  const sesFaults =
    process.env.STAGEFLOW_SES_FAULTS === 'on' ? new FaultInjectingEmailSender(sesSender) : null;
  const settings = { shopName: c.shopName, shopUrl: c.shopUrl };
  const mailer = new TemplateMailer(sesFaults ?? sesSender, tokens, {
    ...settings,
    templatePrefix: c.templatePrefix,
    publicUrl: c.publicUrl,
  });
  const campaigns: ManageCampaigns = new ManageCampaigns({
    store: new DynamoDbCampaignStore(client, c.tableName),
    templateExists: (name) => templates.exists(name),
  });
  const templates: ManageTemplates = new ManageTemplates({
    store: new SesTemplateStore(ses),
    prefix: c.templatePrefix,
    campaignsUsing: async (name) =>
      (await campaigns.list({})).items
        .filter((x) => x.steps.some((s) => s.template === name))
        .map((x) => x.campaignId),
    personalise: async (customerId, data) => {
      const profile = await customers.profile(customerId);
      const unsubscribeUrl = await mailer.unsubscribeUrl(profile.customerId);
      return {
        locale: typeof profile.state.traits.locale === 'string' ? profile.state.traits.locale : undefined,
        variables: templateVariables(settings, {
          unsubscribeUrl,
          data: { ...profileData(profile), ...data },
        }),
      };
    },
  });
  const consent = new ManageConsent({ store: new DynamoDbConsentStore(client, c.tableName), tokens });
  return { campaigns, templates, consent, mailer, sesFaults };
}

/** The outbox relay's wiring, apart from container(): the relay needs the bus, not the table. */
export const outboxRelay = once(
  () => new OutboxRelay(new EventBridgePublisher(eventBridgeClient(), eventsConfig().eventBusName), logger),
);
