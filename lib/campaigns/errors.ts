import { HttpProblem } from '../http/problem.js';

/** Base of every campaign error; each maps to a problem+json response. */
export class CampaignError extends HttpProblem {
  constructor(
    status: number,
    slug: string,
    title: string,
    detail: string,
    options: { cause?: unknown } = {},
  ) {
    super(status, slug, title, detail, options);
    this.name = 'CampaignError';
  }
}

export class CampaignNotFoundError extends CampaignError {
  constructor(campaignId: string, version?: number) {
    super(
      404,
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
    super(409, 'status-conflict', 'Conflict', `Campaign "${campaignId}" is ${from}; it cannot be ${action}`);
    this.name = 'CampaignStatusConflictError';
  }
}

/** If-Match named a version that is no longer the current one. */
export class CampaignVersionConflictError extends CampaignError {
  constructor(campaignId: string, expected: number, current: number) {
    super(
      412,
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
    super(409, 'concurrent-update', 'Conflict', `Campaign "${campaignId}" is being changed by others; retry`);
    this.name = 'CampaignBusyError';
  }
}
