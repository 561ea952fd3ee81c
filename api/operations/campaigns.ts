import * as z from 'zod';
import {
  Campaign,
  CampaignList,
  CampaignPatch,
  CampaignStats,
  CampaignStatusChanges,
  CampaignWrite,
} from '../../lib/campaigns/http-schemas.js';
import { ListQuery } from '../../lib/campaigns/manage-campaigns.js';
import { MERGE_PATCH_TYPES } from '../../lib/http/merge-patch.js';
import type { Operations } from '../operation.js';

/** The operations of marketer campaigns: one entry per route in ROUTES (lib/http/routes.ts). */
export const campaignsOperations = {
  'POST /v1/campaigns': {
    operationId: 'createCampaign',
    summary: 'Create a campaign (draft unless `status` says otherwise)',
    tag: 'Campaigns',
    body: { schema: CampaignWrite },
    responses: {
      201: {
        description: 'Created',
        body: { schema: Campaign },
        headers: { ETag: { schema: { type: 'string' } }, Location: { schema: { type: 'string' } } },
      },
    },
  },
  'GET /v1/campaigns': {
    operationId: 'listCampaigns',
    summary: 'List campaigns',
    tag: 'Campaigns',
    query: ListQuery,
    responses: {
      200: {
        description: 'Campaigns',
        body: {
          schema: CampaignList,
        },
      },
    },
  },
  'GET /v1/campaigns/{campaignId}': {
    operationId: 'getCampaign',
    summary: 'A campaign’s current version (or `?version=n`)',
    tag: 'Campaigns',
    query: z.object({ version: z.coerce.number().int().min(1).optional() }),
    responses: {
      200: {
        description: 'The campaign',
        body: { schema: Campaign },
        headers: { ETag: { schema: { type: 'string' } } },
      },
    },
    errors: { 404: 'No such campaign or version' },
  },
  'PUT /v1/campaigns/{campaignId}': {
    operationId: 'updateCampaign',
    summary: 'Replace a campaign’s definition as a new version',
    description:
      'What GET answers is accepted unchanged (read-only fields are ignored). ' +
      'Send `If-Match: "<version>"` to fail with 412 if someone else changed it meanwhile.',
    tag: 'Campaigns',
    body: { schema: CampaignWrite },
    responses: {
      200: {
        description: 'The new version',
        body: { schema: Campaign },
        headers: { ETag: { schema: { type: 'string' } } },
      },
    },
    errors: {
      404: 'No such campaign',
      409: 'Busy with other writers; retry',
      412: 'If-Match does not match',
    },
  },
  'PATCH /v1/campaigns/{campaignId}': {
    operationId: 'patchCampaign',
    summary: 'Change only what a JSON Merge Patch names, as a new version',
    description:
      'RFC 7396, as `application/merge-patch+json` (or `application/json`). ' +
      'Send `If-Match: "<version>"` to fail with 412 if someone else changed it meanwhile.',
    tag: 'Campaigns',
    body: { schema: CampaignPatch, contentType: MERGE_PATCH_TYPES },
    responses: {
      200: {
        description: 'The new version',
        body: { schema: Campaign },
        headers: { ETag: { schema: { type: 'string' } } },
      },
    },
    errors: {
      404: 'No such campaign',
      409: 'Busy with other writers; retry',
      412: 'If-Match does not match',
      415: 'Not a merge patch (see `Accept-Patch`)',
    },
  },
  'DELETE /v1/campaigns/{campaignId}': {
    operationId: 'deleteCampaign',
    summary: 'Delete a campaign',
    tag: 'Campaigns',
    responses: { 204: { description: 'Deleted' } },
    errors: { 404: 'No such campaign', 409: 'An active campaign must be paused first' },
  },
  'GET /v1/campaigns/{campaignId}/stats': {
    operationId: 'getCampaignStats',
    summary: 'Why a campaign’s trigger started no run, counted by reason',
    tag: 'Campaigns',
    responses: { 200: { description: 'The counters', body: { schema: CampaignStats } } },
    errors: { 404: 'No such campaign' },
  },
  'GET /v1/campaigns/{campaignId}/status-changes': {
    operationId: 'listCampaignStatusChanges',
    summary: 'Every activation and pause of a campaign, with who and when',
    tag: 'Campaigns',
    responses: {
      200: { description: 'Oldest first', body: { schema: CampaignStatusChanges } },
    },
    errors: { 404: 'No such campaign' },
  },
  'POST /v1/campaigns/{campaignId}/activate': {
    operationId: 'activateCampaign',
    summary: 'Activate a campaign',
    tag: 'Campaigns',
    responses: { 200: { description: 'Active', body: { schema: Campaign } } },
    errors: { 404: 'No such campaign', 409: 'Not allowed from the current status' },
  },
  'POST /v1/campaigns/{campaignId}/pause': {
    operationId: 'pauseCampaign',
    summary: 'Pause a campaign',
    tag: 'Campaigns',
    responses: { 200: { description: 'Paused', body: { schema: Campaign } } },
    errors: { 404: 'No such campaign', 409: 'Not allowed from the current status' },
  },
} satisfies Operations;
