import type { ManageCampaigns } from '../campaigns/index.js';
import { defaultCampaigns, SEED_HOLDOUT_PERCENT } from '../campaigns/index.js';
import { measurementConfig } from '../config.js';
import type { ManageTemplates } from '../templates/index.js';
import { DEFAULT_TEMPLATES } from '../templates/index.js';

/**
 * Seeds the default templates (first, so the campaigns' templates exist) and campaigns.
 * Idempotent: it creates only what is missing and never overwrites a marketer's edit.
 */
export async function seedDefaults(deps: { templates: ManageTemplates; campaigns: ManageCampaigns }) {
  const templates = await deps.templates.seed(DEFAULT_TEMPLATES);
  const campaigns = await deps.campaigns.seed(
    defaultCampaigns(new Date(), measurementConfig().seedHoldoutPercent ?? SEED_HOLDOUT_PERCENT),
  );
  return { templatesCreated: templates.created, campaignsCreated: campaigns.created };
}
