import type { Campaign, CampaignStatus } from './campaign.js';

/** The head of a campaign: its current version, status and whether it was deleted. */
export interface CampaignHead extends Campaign {
  deletedAt?: string;
}

export type WriteOutcome = 'ok' | 'missing' | 'conflict';

/**
 * One activation or pause: its own immutable record, because a status change makes no version
 * (versions are definitions) and the head keeps only the latest change.
 */
export interface CampaignStatusChange {
  at: string;
  from: CampaignStatus;
  to: CampaignStatus;
  /** The key's name or the signed-in user; absent when the caller had none (seeding, tests). */
  by?: string;
}

/** Storage port of the campaigns context; the DynamoDB adapter is beside it. */
export interface CampaignStore {
  /** Stores version 1 and the head; false if the id exists (seeding relies on that). */
  create(campaign: Campaign): Promise<boolean>;
  head(campaignId: string): Promise<CampaignHead | null>;
  heads(): Promise<CampaignHead[]>;
  version(campaignId: string, version: number): Promise<Campaign | null>;
  /** The head and one version in one round trip. */
  headAndVersion(
    campaignId: string,
    version: number,
  ): Promise<{ head: CampaignHead | null; version: Campaign | null }>;
  /** Adds `next` as a new immutable version if the head is still at `next.version - 1`. */
  addVersion(next: Campaign): Promise<WriteOutcome>;
  /**
   * Changes the head's status if it is still `from`; `by` (a key name) becomes its updatedBy. The
   * change is also recorded on its own (statusChanges), in the same transaction.
   */
  setStatus(
    campaignId: string,
    from: CampaignStatus,
    to: CampaignStatus,
    at: string,
    by?: string,
  ): Promise<WriteOutcome>;
  /** Every recorded activation and pause of the campaign, oldest first. */
  statusChanges(campaignId: string): Promise<CampaignStatusChange[]>;
  /** Marks the campaign deleted; its versions stay for the flows still running them. */
  markDeleted(campaignId: string, at: string): Promise<WriteOutcome>;
}

/** Why a triggered campaign started no run, counted per campaign (never logged per customer). */
export type SkipReason = 'stale' | 'same-cycle';

/** Counters of runs not started, per campaign and reason. */
export interface CampaignStats {
  /** Adds one to the campaign's counter of `reason`; `spread` picks the shard (a customer id). */
  countSkip(campaignId: string, reason: SkipReason, spread: string): Promise<void>;
  /** Every counter of the campaign, summed over its shards. */
  skipped(campaignId: string): Promise<Partial<Record<SkipReason, number>>>;
}
