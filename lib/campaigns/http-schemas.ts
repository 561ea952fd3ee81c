import * as z from 'zod';
import { CampaignInput, CampaignStatus } from './campaign.js';
import type { ManageCampaigns } from './manage-campaigns.js';

/**
 * The campaign routes' contract: what they answer (Campaign, CampaignStats) and the documented
 * write forms (CampaignWrite, CampaignPatch: CampaignInput plus the read-only fields GET
 * answers). api/openapi.ts documents them; the integration tests check every response.
 */

export const Campaign = z
  .looseObject({
    campaignId: z.string(),
    version: z.number().int(),
    status: CampaignStatus,
    createdAt: z.string(),
    updatedAt: z.string(),
    updatedBy: z
      .string()
      .optional()
      .describe(
        "Who made this version or the last status change: the key's name or the signed-in user's email; absent before it was recorded",
      ),
  })
  .describe('A campaign version: the CampaignInput fields plus these');

export const CampaignStats = z
  .object({
    campaignId: z.string(),
    skipped: z
      .object({
        stale: z.number().int().describe('Triggers older than the freshness horizon (history is not news)'),
        'same-cycle': z.number().int().describe('Triggers of a cycle (order, purchase cycle) already run'),
      })
      .describe('Times the trigger fired for a customer in the audience and started no run, by reason'),
  })
  .describe('Why a campaign started no run, counted per campaign, never logged per customer');
export const CampaignStatusChanges = z
  .object({
    campaignId: z.string(),
    items: z.array(
      z.object({
        at: z.string().describe('When (ISO 8601)'),
        from: CampaignStatus,
        to: CampaignStatus,
        by: z
          .string()
          .optional()
          .describe("Who: the key's name or the signed-in user's email; absent when no one was recorded"),
      }),
    ),
  })
  .describe('Every activation and pause of a campaign, oldest first (a status change makes no version)');

const readOnly = <T extends z.ZodType>(schema: T, description: string) =>
  schema.optional().meta({ readOnly: true, description });

export const CampaignWrite = z
  .object({
    ...CampaignInput.shape,
    campaignId: readOnly(z.string(), 'Ignored on write'),
    version: readOnly(z.number().int(), 'Ignored on write; send `If-Match` to lock a version'),
    status: readOnly(
      CampaignStatus,
      'POST: the first status (draft by default). Ignored by PUT and PATCH: use activate and pause',
    ),
    createdAt: readOnly(z.string(), 'Ignored on write'),
    updatedAt: readOnly(z.string(), 'Ignored on write'),
  })
  .strict()
  .describe('A campaign definition. What GET answers is accepted unchanged: read-only fields are ignored');

export const CampaignPatch = CampaignWrite.partial().describe(
  'An RFC 7396 JSON Merge Patch of the definition: members it names replace the current ones ' +
    '(objects merge, arrays such as `steps` are replaced whole), `null` removes a member ' +
    '(`audience`, `exit` and `holdoutPercent` return to their defaults). The result is validated ' +
    'as a whole and stored as a new version.',
);

export const CampaignList = z.object({ items: z.array(Campaign) });

export type CampaignBody = z.input<typeof Campaign>;
export type CampaignStatsBody = z.input<typeof CampaignStats>;

/**
 * Compile-time contract checks: what ManageCampaigns answers must be assignable to the response
 * schema of its route, so a field renamed in one and not the other fails `tsc`.
 */
export type CampaignAnswers = [
  Conforms<Awaited<ReturnType<ManageCampaigns['get']>>, Known<CampaignBody>>,
  Conforms<Awaited<ReturnType<ManageCampaigns['list']>>['items'][number], Known<CampaignBody>>,
  Conforms<Awaited<ReturnType<ManageCampaigns['stats']>>, CampaignStatsBody>,
  Conforms<Awaited<ReturnType<ManageCampaigns['statusChanges']>>, z.input<typeof CampaignStatusChanges>>,
];
type Conforms<T extends U, U> = T;
/** The named members of an open (loose) object type, without its index signature. */
type Known<T> = { [K in keyof T as string extends K ? never : K]: T[K] };
