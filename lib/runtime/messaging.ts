import { dynamoClient } from '../aws/clients.js';
import { sesClient } from '../aws/ses.js';
import { DynamoDbCampaignStats } from '../campaigns/dynamodb-campaign-stats.js';
import { DynamoDbCampaignStore } from '../campaigns/dynamodb-campaign-store.js';
import { ManageCampaigns } from '../campaigns/index.js';
import { runtimeConfig } from '../config.js';
import { secretSource } from '../consent/aws-secrets.js';
import { DynamoDbConsentStore } from '../consent/dynamodb-consent-store.js';
import { ManageConsent, recipientAddress, UnsubscribeTokens } from '../consent/index.js';
import {
  FaultInjectingEmailSender,
  PermanentSendError,
  profileData,
  SAMPLE_DATA,
  TemplateMailer,
  TransientSendError,
  templateVariables,
} from '../messaging/index.js';
import { SesEmailSender } from '../messaging/ses-email-sender.js';
import { DynamoDbTemplateChanges } from '../templates/dynamodb-template-changes.js';
import { MailProviderUnavailableError, ManageTemplates, TestSendRefusedError } from '../templates/index.js';
import { SesTemplateStore } from '../templates/ses-template-store.js';
import { container, once } from './container.js';
import { customerReads } from './customers.js';

/**
 * Campaigns, templates, consent and mail: what the flows and the marketer API use. Apart from
 * container() so the ingest bundle carries no SES or Secrets Manager client.
 */
export const messaging = once(wire);

function wire() {
  const { config: c } = container();
  const { customers } = customerReads();
  const client = dynamoClient();
  const ses = sesClient();
  const tokens = new UnsubscribeTokens(
    secretSource({ value: c.unsubscribeSecret, arn: c.unsubscribeSecretArn }),
  );
  const sesSender = new SesEmailSender(ses, {
    from: c.sender,
    configurationSet: c.sesConfigurationSet,
    untrackedConfigurationSet: c.sesUntrackedConfigurationSet,
  });
  // The local stack injects SES faults (STAGEFLOW_SES_FAULTS=on); deployed stacks never do.
  const sesFaults = runtimeConfig().sesFaults ? new FaultInjectingEmailSender(sesSender) : null;
  const settings = { shopName: c.shopName, shopUrl: c.shopUrl };
  const sender = sesFaults ?? sesSender;
  const mailer = new TemplateMailer(sender, tokens, {
    ...settings,
    templatePrefix: c.templatePrefix,
    publicUrl: c.publicUrl,
    tracking: c.tracking,
  });
  const campaigns: ManageCampaigns = new ManageCampaigns({
    store: new DynamoDbCampaignStore(client, c.tableName),
    stats: new DynamoDbCampaignStats(client, c.tableName),
    templateExists: (name) => templates.exists(name),
  });
  const templates: ManageTemplates = new ManageTemplates({
    store: new SesTemplateStore(ses),
    prefix: c.templatePrefix,
    changes: new DynamoDbTemplateChanges(client, c.tableName),
    campaignsUsing: async (name) =>
      (await campaigns.list({})).items
        .filter((x) => x.steps.some((s) => s.template === name))
        .map((x) => x.campaignId),
    personalise: async (customerId, data, baseUrl) => {
      const profile = await customers.profile(customerId);
      const unsubscribeUrl = await mailer.unsubscribeUrl(profile.customerId, baseUrl);
      return {
        locale: typeof profile.state.traits.locale === 'string' ? profile.state.traits.locale : undefined,
        variables: templateVariables(settings, {
          unsubscribeUrl,
          data: { ...profileData(profile), ...data },
        }),
      };
    },
    publicUrl: c.publicUrl,
    recipientAddress,
    sample: (data) => ({
      locale: undefined,
      variables: templateVariables(settings, { unsubscribeUrl: '', data: { ...SAMPLE_DATA, ...data } }),
    }),
    send: async (mail) => {
      try {
        // A test send is no customer's mail: nothing to track (untracked configuration set).
        return await sender.send({ ...mail, tracked: false });
      } catch (error) {
        if (error instanceof PermanentSendError)
          throw new TestSendRefusedError(error.message, { cause: error });
        if (error instanceof TransientSendError) throw new MailProviderUnavailableError({ cause: error });
        throw error;
      }
    },
  });
  const consent = new ManageConsent({ store: new DynamoDbConsentStore(client, c.tableName), tokens });
  return { campaigns, templates, consent, mailer, sesFaults };
}
