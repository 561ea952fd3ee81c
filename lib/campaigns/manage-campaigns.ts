import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { type FieldError, fieldErrors, toPointer, ValidationError } from '../shared/errors.js';
import { mergePatch } from '../shared/merge-patch.js';
import { type Campaign, CampaignInput, CampaignStatus, FlowTypeSchema, goalOf } from './campaign.js';
import {
  CampaignBusyError,
  CampaignNotFoundError,
  CampaignStatusConflictError,
  CampaignVersionConflictError,
} from './errors.js';
import type { FlowType } from './flow-catalogue.js';
import type {
  CampaignHead,
  CampaignStats,
  CampaignStatusChange,
  CampaignStore,
  SkipReason,
} from './ports.js';

export const ListQuery = z
  .object({ flow: FlowTypeSchema.optional(), status: CampaignStatus.optional() })
  .strict();
const VersionQuery = z.object({ version: z.coerce.number().int().min(1).optional() }).strict();
const CreateExtras = z.object({ status: CampaignStatus.optional() });

/** A new campaign id: short, URL-safe, unguessable enough to not collide. */
export const newCampaignId = () => `cmp_${randomBytes(9).toString('base64url')}`;

/** Every id a campaign can have: made by newCampaignId, or a default's fixed `default-…`. */
const CAMPAIGN_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** What answers carry besides the definition; a write ignores them (status has its own routes). */
export const READ_ONLY_FIELDS = [
  'campaignId',
  'version',
  'status',
  'createdAt',
  'updatedAt',
  'updatedBy',
] as const;

function withoutReadOnly(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const readOnly = new Set<string>(READ_ONLY_FIELDS);
  return Object.fromEntries(Object.entries(body).filter(([key]) => !readOnly.has(key)));
}

export interface CampaignDeps {
  store: CampaignStore;
  /** The skip counters the flows write; GET /v1/campaigns/{id}/stats reads them. */
  stats?: Pick<CampaignStats, 'skipped'>;
  /** Whether a template exists, so a campaign cannot name one that would fail at send time. */
  templateExists?: (name: string) => Promise<boolean>;
  clock?: () => Date;
}

const MAX_RETRIES = 5;

/** The marketer's campaign API and what the flows read: active campaigns and exact versions. */
export class ManageCampaigns {
  private readonly clock: () => Date;

  constructor(private readonly deps: CampaignDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  async create(body: unknown, by?: string): Promise<Campaign> {
    const { status, definition } = splitStatus(body);
    const input = await this.validate(definition);
    const now = this.clock().toISOString();
    const campaign: Campaign = {
      ...input,
      campaignId: newCampaignId(),
      version: 1,
      status: status ?? 'draft',
      createdAt: now,
      updatedAt: now,
      ...(by ? { updatedBy: by } : {}),
    };
    await this.deps.store.create(campaign);
    return publicView(campaign);
  }

  async list(query: Record<string, string | undefined>): Promise<{ items: Campaign[] }> {
    const parsed = ListQuery.safeParse(query);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error), 'Invalid query');
    const { flow, status } = parsed.data;
    const items = (await this.deps.store.heads())
      .filter((c) => !c.deletedAt && (!flow || c.flow === flow) && (!status || c.status === status))
      .map(publicView)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.campaignId.localeCompare(b.campaignId));
    return { items };
  }

  /** The current version, or `?version=n`, with the campaign's current status. */
  async get(campaignId: string, query: Record<string, string | undefined> = {}): Promise<Campaign> {
    const parsed = VersionQuery.safeParse(query);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error), 'Invalid query');
    const head = await this.live(campaignId);
    const wanted = parsed.data.version;
    if (wanted === undefined) return publicView(head);
    // A version asked for by number is the immutable record of it, even the current one: the
    // head's updatedAt and updatedBy move with every pause and activation, the version's never.
    const version = wanted <= head.version ? await this.deps.store.version(campaignId, wanted) : null;
    if (!version && wanted === head.version) return publicView(head);
    if (!version) throw new CampaignNotFoundError(campaignId, wanted);
    return { ...publicView(version), status: head.status };
  }

  /**
   * Replaces the definition as a new version; running flows keep the version they started with.
   * A campaign as GET answers it is accepted unchanged: its read-only fields are ignored.
   */
  async update(campaignId: string, body: unknown, ifMatch?: number, by?: string): Promise<Campaign> {
    const input = await this.validate(withoutReadOnly(body));
    return this.addVersion(campaignId, ifMatch, by, async () => input);
  }

  /**
   * Changes only what an RFC 7396 merge patch names, over the current version; the result is
   * validated as a whole and stored as a new version, like a PUT (If-Match included).
   */
  patch(campaignId: string, body: unknown, ifMatch?: number, by?: string): Promise<Campaign> {
    const changes = withoutReadOnly(body);
    return this.addVersion(campaignId, ifMatch, by, (head) =>
      this.validate(mergePatch(definitionOf(head), changes)),
    );
  }

  private async addVersion(
    campaignId: string,
    ifMatch: number | undefined,
    by: string | undefined,
    definition: (head: CampaignHead) => Promise<CampaignInput>,
  ): Promise<Campaign> {
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const head = await this.live(campaignId);
      if (ifMatch !== undefined && ifMatch !== head.version) {
        throw new CampaignVersionConflictError(campaignId, ifMatch, head.version);
      }
      const next: Campaign = {
        ...(await definition(head)),
        campaignId,
        version: head.version + 1,
        status: head.status,
        createdAt: head.createdAt,
        updatedAt: this.clock().toISOString(),
        ...(by ? { updatedBy: by } : {}),
      };
      const outcome = await this.deps.store.addVersion(next);
      if (outcome === 'ok') return publicView(next);
      if (outcome === 'missing') throw new CampaignNotFoundError(campaignId);
    }
    throw new CampaignBusyError(campaignId);
  }

  /** Every activation and pause, oldest first, with who made it: the history a version cannot hold. */
  async statusChanges(campaignId: string): Promise<{ campaignId: string; items: CampaignStatusChange[] }> {
    await this.live(campaignId);
    return { campaignId, items: await this.deps.store.statusChanges(campaignId) };
  }

  /** draft or paused → active; active stays active. */
  activate(campaignId: string, by?: string): Promise<Campaign> {
    return this.transition(campaignId, 'active', ['draft', 'paused'], 'activated', by);
  }

  /** active → paused; paused stays paused; a draft was never running. */
  pause(campaignId: string, by?: string): Promise<Campaign> {
    return this.transition(campaignId, 'paused', ['active'], 'paused', by);
  }

  async delete(campaignId: string): Promise<void> {
    if (!CAMPAIGN_ID.test(campaignId)) throw new CampaignNotFoundError(campaignId);
    const outcome = await this.deps.store.markDeleted(campaignId, this.clock().toISOString());
    if (outcome !== 'ok') throw new CampaignNotFoundError(campaignId);
  }

  /** The current version of every active campaign of a flow. */
  activeCampaigns(flow: FlowType): Promise<Campaign[]> {
    return this.withStatus(flow, 'active');
  }

  /** The current version of every paused campaign of a flow. */
  pausedCampaigns(flow: FlowType): Promise<Campaign[]> {
    return this.withStatus(flow, 'paused');
  }

  /** Why the campaign's trigger fired without starting a run, counted by reason. */
  async stats(campaignId: string): Promise<{ campaignId: string; skipped: Record<SkipReason, number> }> {
    await this.live(campaignId);
    const counted = (await this.deps.stats?.skipped(campaignId)) ?? {};
    return { campaignId, skipped: { stale: counted.stale ?? 0, 'same-cycle': counted['same-cycle'] ?? 0 } };
  }

  private async withStatus(flow: FlowType, status: Campaign['status']): Promise<Campaign[]> {
    const heads = await this.deps.store.heads();
    return heads.filter((c) => c.flow === flow && c.status === status && !c.deletedAt).map(publicView);
  }

  /** That exact version, and whether the campaign still runs (active, not deleted). */
  async campaignVersion(
    campaignId: string,
    version: number,
  ): Promise<{ campaign: Campaign; live: boolean } | null> {
    const found = await this.deps.store.headAndVersion(campaignId, version);
    if (!found.head || !found.version) return null;
    return {
      campaign: { ...publicView(found.version), status: found.head.status },
      live: found.head.status === 'active' && !found.head.deletedAt,
    };
  }

  /** Stores campaigns that do not exist yet (by id); a marketer's edits and deletions stay. */
  async seed(campaigns: readonly Campaign[]): Promise<{ created: string[] }> {
    const created: string[] = [];
    for (const campaign of campaigns) {
      const parsed = CampaignInput.parse(definitionOf(campaign));
      if (await this.deps.store.create({ ...campaign, ...parsed })) created.push(campaign.campaignId);
    }
    return { created };
  }

  private async transition(
    campaignId: string,
    to: Campaign['status'],
    from: Campaign['status'][],
    action: string,
    by?: string,
  ): Promise<Campaign> {
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const head = await this.live(campaignId);
      if (head.status === to) return publicView(head);
      if (!from.includes(head.status)) throw new CampaignStatusConflictError(campaignId, head.status, action);
      const at = this.clock().toISOString();
      const outcome = await this.deps.store.setStatus(campaignId, head.status, to, at, by);
      if (outcome === 'ok') {
        return { ...publicView(head), status: to, updatedAt: at, ...(by ? { updatedBy: by } : {}) };
      }
      if (outcome === 'missing') throw new CampaignNotFoundError(campaignId);
    }
    throw new CampaignBusyError(campaignId);
  }

  private async live(campaignId: string): Promise<CampaignHead> {
    // An id we could never have made is not looked up (nor can it break a key's size limit).
    const head = CAMPAIGN_ID.test(campaignId) ? await this.deps.store.head(campaignId) : null;
    if (!head || head.deletedAt) throw new CampaignNotFoundError(campaignId);
    return head;
  }

  private async validate(body: unknown): Promise<CampaignInput> {
    const parsed = CampaignInput.safeParse(body);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error), 'Invalid campaign');
    const exists = this.deps.templateExists;
    if (exists) {
      const errors: FieldError[] = [];
      const known = new Map<string, boolean>();
      for (const [i, step] of parsed.data.steps.entries()) {
        if (!known.has(step.template)) known.set(step.template, await exists(step.template));
        if (!known.get(step.template)) {
          const path = `steps[${i}].template`;
          errors.push({
            path,
            pointer: toPointer(path),
            message: `no template "${step.template}"; create it with PUT /v1/templates/${step.template}`,
          });
        }
      }
      if (errors.length) throw new ValidationError(errors, 'Invalid campaign');
    }
    return parsed.data;
  }
}

/** A create may set the first status; the other read-only fields (a copied campaign's) are ignored. */
function splitStatus(body: unknown): { status?: Campaign['status']; definition: unknown } {
  if (!body || typeof body !== 'object' || Array.isArray(body) || !('status' in body)) {
    return { definition: withoutReadOnly(body) };
  }
  const { status } = body as Record<string, unknown>;
  const parsed = CreateExtras.safeParse({ status });
  if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error), 'Invalid campaign');
  return { status: parsed.data.status, definition: withoutReadOnly(body) };
}

function definitionOf(c: Campaign): CampaignInput {
  return {
    name: c.name,
    flow: c.flow,
    trigger: c.trigger,
    steps: c.steps,
    audience: c.audience,
    exit: c.exit,
    holdoutPercent: c.holdoutPercent,
    ...(c.goal !== undefined ? { goal: c.goal } : {}),
    // Campaigns stored before goals existed measure over the default window.
    conversionWindowDays: c.conversionWindowDays ?? 7,
    ...(c.freshnessHours !== undefined ? { freshnessHours: c.freshnessHours } : {}),
  };
}

/** The API's view: the stored fields in a stable order, without storage details. */
export function publicView(c: Campaign | CampaignHead): Campaign {
  return {
    campaignId: c.campaignId,
    version: c.version,
    status: c.status,
    ...definitionOf(c),
    // The goal it measures: its own, else its flow's.
    goal: goalOf(c),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    ...(c.updatedBy ? { updatedBy: c.updatedBy } : {}),
  };
}
