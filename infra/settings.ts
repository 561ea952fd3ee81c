import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import * as z from 'zod';
import { TABLE_INDEXES } from '../lib/storage/table.js';

/** The CDK context keys Stageflow reads (`cdk.json` or `-c key=value`). */
export const CONTEXT = {
  stage: 'stageflow:stage',
  sender: 'stageflow:sender',
  corsOrigins: 'stageflow:corsOrigins',
  retentionDays: 'stageflow:retentionDays',
  removalPolicy: 'stageflow:removalPolicy',
  logRetentionDays: 'stageflow:logRetentionDays',
  alarmEmail: 'stageflow:alarmEmail',
  throttleRate: 'stageflow:throttleRate',
  throttleBurst: 'stageflow:throttleBurst',
  publicUrl: 'stageflow:publicUrl',
  reportTimeZone: 'stageflow:reportTimeZone',
  currency: 'stageflow:currency',
  tableIndexes: 'stageflow:tableIndexes',
  tracking: 'stageflow:tracking',
  trackingDomain: 'stageflow:trackingDomain',
  sourceMaps: 'stageflow:sourceMaps',
} as const;

const Stage = z.enum(['dev', 'prod']);
export type Stage = z.infer<typeof Stage>;

const LOG_RETENTION_DAYS = new Set(Object.values(RetentionDays).filter((v) => typeof v === 'number'));

const Email = z.email();
const Domain = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'must be a domain name');
const Origin = z.union([
  z.literal('*'),
  z.string().regex(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i, 'must be an origin such as https://shop.example'),
]);

/** `-c a,b` arrives as one string; cdk.json may hold a real list. */
const list = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean));

const Context = z.object({
  stage: Stage.default('dev'),
  sender: z.union([Email, Domain]).optional(),
  corsOrigins: list.pipe(z.array(Origin)).default([]),
  retentionDays: z.coerce.number().int().positive().default(400),
  removalPolicy: z.enum(['destroy', 'retain']).optional(),
  logRetentionDays: z.coerce
    .number()
    .int()
    .refine(
      (d) => LOG_RETENTION_DAYS.has(d),
      'must be a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, ...)',
    )
    .optional(),
  alarmEmail: Email.optional(),
  throttleRate: z.coerce.number().int().positive().default(100),
  throttleBurst: z.coerce.number().int().positive().default(200),
  publicUrl: z
    .url({ protocol: /^https$/, error: 'must be an https URL such as https://api.shop.example' })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  reportTimeZone: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-CA', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Europe/Berlin')
    .default('UTC'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
    .default('USD'),
  tableIndexes: z.coerce
    .number()
    .int()
    .min(0)
    .max(TABLE_INDEXES.length, `must be at most ${TABLE_INDEXES.length}, the number of indexes there are`)
    .default(TABLE_INDEXES.length),
  tracking: z.enum(['on', 'off'], "must be 'on' or 'off'").default('on'),
  trackingDomain: Domain.optional(),
  sourceMaps: z.enum(['on', 'off'], "must be 'on' or 'off'").default('off'),
});

/** Everything that differs between deployments, validated once when the app is built. */
export interface StageflowSettings {
  stage: Stage;
  /**
   * SES sender address or domain: the identity the stateful stack creates, and the From
   * address of every mail (`noreply@<domain>` for a domain). None: no identity, no sending.
   */
  sender?: string;
  /** Browser origins allowed by CORS; empty means no CORS (server-to-server callers only). */
  corsOrigins: string[];
  /** Touchpoints expire by TTL after this many days. */
  retentionDays: number;
  /** What happens to stateful resources when their stack is deleted. */
  removalPolicy: RemovalPolicy;
  logRetention: RetentionDays;
  /** Subscribed to the alarm topic when set. */
  alarmEmail?: string;
  throttle: { rateLimit: number; burstLimit: number };
  /**
   * The API's public base URL for unsubscribe links (a custom domain in front of the API).
   * None: the execute-api URL of the HTTP API.
   */
  publicUrl?: string;
  /** STAGEFLOW_REPORT_TIMEZONE: the zone report days are counted in (changing it needs analytics:rebuild). */
  reportTimeZone: string;
  /** STAGEFLOW_CURRENCY: the currency of a purchase that names none. */
  currency: string;
  /**
   * How many of TABLE_INDEXES (in order) the table has. All by default; an existing table
   * gains them one deploy at a time, as DynamoDB creates one index per update (README).
   */
  tableIndexes: number;
  /** STAGEFLOW_TRACKING: open and click tracking for customers who did not refuse it, or for nobody. */
  tracking: 'on' | 'off';
  /** The tracked configuration set's custom redirect domain for open and click links (docs/messaging.md). */
  trackingDomain?: string;
  /**
   * `--enable-source-maps` in the functions' NODE_OPTIONS: stack traces name source files, at
   * the cost of reading the source map at every cold start (infra/bundling.ts). Off by default.
   */
  sourceMaps: boolean;
}

/** Reads and validates the `stageflow:*` context; a bad value fails the synth with its key. */
export function readSettings(node: Node): StageflowSettings {
  const raw = Object.fromEntries(
    Object.entries(CONTEXT).map(([field, key]) => [field, emptyToUndefined(node.tryGetContext(key))]),
  );
  const parsed = Context.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${CONTEXT[i.path[0] as keyof typeof CONTEXT] ?? i.path.join('.')}: ${i.message}`)
      .join('; ');
    throw new Error(`Invalid Stageflow CDK context: ${problems}`);
  }
  const c = parsed.data;
  const prod = c.stage === 'prod';
  // Production keeps its data when a stack is deleted; dev stacks clean up after themselves.
  const retain = (c.removalPolicy ?? (prod ? 'retain' : 'destroy')) === 'retain';
  return {
    stage: c.stage,
    sender: c.sender,
    corsOrigins: c.corsOrigins,
    retentionDays: c.retentionDays,
    removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    logRetention: (c.logRetentionDays ??
      (prod ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH)) as RetentionDays,
    alarmEmail: c.alarmEmail,
    throttle: { rateLimit: c.throttleRate, burstLimit: c.throttleBurst },
    publicUrl: c.publicUrl,
    reportTimeZone: c.reportTimeZone,
    currency: c.currency,
    tableIndexes: c.tableIndexes,
    tracking: c.tracking,
    trackingDomain: c.trackingDomain,
    sourceMaps: c.sourceMaps === 'on',
  };
}

/** The address mail is sent from: the sender itself, or `noreply@` a sender domain. */
export const fromAddress = (sender: string) => (sender.includes('@') ? sender : `noreply@${sender}`);

const emptyToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);
