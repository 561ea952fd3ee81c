import { type ErrorKind, StageflowError } from '../shared/errors.js';

/** Base of every campaign error; the HTTP edge maps each to a problem+json response. */
export class CampaignError extends StageflowError {
  constructor(
    kind: ErrorKind,
    slug: string,
    title: string,
    detail: string,
    options: { cause?: unknown } = {},
  ) {
    super(kind, slug, title, detail, options);
    this.name = 'CampaignError';
  }
}

export class CampaignNotFoundError extends CampaignError {
  constructor(campaignId: string, version?: number) {
    super(
      'not-found',
      'not-found',
      'Not found',
      version === undefined
        ? `No campaign "${campaignId}"`
        : `Campaign "${campaignId}" has no version ${version}`,
    );
    this.name = 'CampaignNotFoundError';
  }
}

/** A status change the campaign's current status does not allow. */
export class CampaignStatusConflictError extends CampaignError {
  constructor(campaignId: string, from: string, action: string) {
    super(
      'conflict',
      'status-conflict',
      'Conflict',
      `Campaign "${campaignId}" is ${from}; it cannot be ${action}`,
    );
    this.name = 'CampaignStatusConflictError';
  }
}

/** If-Match named a version that is no longer the current one. */
export class CampaignVersionConflictError extends CampaignError {
  constructor(campaignId: string, expected: number, current: number) {
    super(
      'precondition-failed',
      'precondition-failed',
      'Precondition failed',
      `Campaign "${campaignId}" is at version ${current}, not ${expected}; read it again and retry`,
    );
    this.name = 'CampaignVersionConflictError';
  }
}

/** Other writers kept changing the campaign while this request retried. */
export class CampaignBusyError extends CampaignError {
  constructor(campaignId: string) {
    super(
      'conflict',
      'concurrent-update',
      'Conflict',
      `Campaign "${campaignId}" is being changed by others; retry`,
    );
    this.name = 'CampaignBusyError';
  }
}
