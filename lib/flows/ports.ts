import type { Campaign, CampaignStats, FlowType } from '../campaigns/index.js';
import type { CustomerHistory, Profile } from '../ingest/index.js';
import type { Arm, Assignment, GlobalAssignment } from '../measurement/index.js';
import type { MessageLog } from './message-log.js';

/** What the flows need from campaigns (implemented by lib/campaigns). */
export interface CampaignSource {
  activeCampaigns(flow: FlowType): Promise<Campaign[]>;
  /** The current version of every paused campaign of a flow: a trigger leaves a trace. */
  pausedCampaigns(flow: FlowType): Promise<Campaign[]>;
  /** That exact version, and whether the campaign still runs (not paused or deleted). */
  campaignVersion(campaignId: string, version: number): Promise<{ campaign: Campaign; live: boolean } | null>;
}

export interface CustomerSource {
  profile(customerId: string): Promise<Profile | null>;
  history(customerId: string): Promise<CustomerHistory>;
}

export type SendBlock = 'unsubscribed' | 'opted-out' | 'suppressed' | 'no-address' | 'invalid-address';

export interface ConsentSource {
  canSend(
    customerId: string,
    category: 'marketing' | 'transactional',
    email: string | undefined,
  ): Promise<{ ok: true } | { ok: false; reason: SendBlock }>;
}

export interface OutgoingMail {
  customerId: string;
  to: string;
  template: string;
  locale: string | undefined;
  category: 'marketing' | 'transactional';
  data: Record<string, unknown>;
  /** The message log item this mail is: SES events of the mail map back to it. */
  message?: { runId: string; step: number; campaignId: string };
  /** The customer's `trackingConsent` trait (a clear no: no open pixel, no rewritten links). */
  trackingConsent?: unknown;
}

/** Sends one mail; throws TransientSendError (retry) or PermanentSendError (record as failed). */
export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
}

export interface EventSink {
  publish(entries: { detailType: string; detail: Record<string, unknown> }[]): Promise<void>;
}

/** Whether marketing mail is paused (SES reputation alarms); transactional mail never is. */
export interface MarketingGate {
  isMarketingPaused(): Promise<boolean>;
}

/** The flows' view of measurement (lib/measurement): assignments and the global control group. */
export interface MeasurementGate {
  /** The global control group's size now (PATCH /v1/settings), 0–15. */
  globalControlPercent(): Promise<number>;
  /** The customer's assignment in the campaign: `a`, or the one made before. Null: customer gone. */
  assign(customerId: string, a: Assignment): Promise<Assignment | null>;
  /** The customer's place in the global control experiment, in `arm` from now on. Null: customer gone. */
  enterGlobal(customerId: string, arm: Arm, at: string): Promise<GlobalAssignment | null>;
}

export interface FlowDeps {
  campaigns: CampaignSource;
  customers: CustomerSource;
  consent: ConsentSource;
  mailer: Mailer;
  log: MessageLog;
  events: EventSink;
  marketing: MarketingGate;
  /** Counters of runs not started (stale triggers, a cycle already run). */
  stats: Pick<CampaignStats, 'countSkip'>;
  measurement: MeasurementGate;
  clock: () => Date;
  settings: FlowSettings;
}

export interface FlowSettings {
  /** Marketing mails per customer per window (default 3 per 7 days). */
  frequencyCap: number;
  frequencyWindowMs: number;
  quietHours: { start: number; end: number };
  timeScale: number;
  defaultTimeZone: string;
  /**
   * How long a send claim is held (real time, never scaled). A claim still `sending` after it
   * was sent by an attempt that died: transactional mail is sent again, marketing is `unknown`.
   */
  sendLeaseMs: number;
}
