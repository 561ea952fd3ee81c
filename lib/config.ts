import * as z from './shared/zod.js';

/**
 * A schema built the first time its settings are read. Config and RuntimeConfig, which every
 * HTTP function reads on its first request, are built at import; the settings only some
 * functions read (the event bus, analytics, flows, measurement) cost the others nothing at cold
 * start (docs/architecture.md, "Cold start"). Its calls are marked pure, so a bundle that never
 * reads those settings leaves out their schemas' code as well.
 */
const onFirstRead = <T>(build: () => T): (() => T) => {
  let schema: T | undefined;
  return () => {
    schema ??= build();
    return schema;
  };
};

const Config = z.object({
  TABLE_NAME: z.string().check(z.minLength(1, 'TABLE_NAME must name the Stageflow table')),
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  STAGEFLOW_RETENTION_DAYS: z._default(z.coerce.number().check(z.int(), z.positive()), 400),
  STAGEFLOW_STAGE: z._default(z.string(), 'dev'),
  STAGEFLOW_TEMPLATE_PREFIX: z._default(
    z.string().check(z.regex(/^[A-Za-z0-9_-]{0,20}$/, 'up to 20 letters, digits, _ or -')),
    'stageflow-',
  ),
  STAGEFLOW_SENDER: z._default(z.string().check(z.minLength(3)), 'Stageflow <noreply@stageflow.local>'),
  SES_CONFIGURATION_SET: z.optional(z.string().check(z.minLength(1))),
  SES_UNTRACKED_CONFIGURATION_SET: z.optional(z.string().check(z.minLength(1))),
  STAGEFLOW_TRACKING: z._default(z.enum(['on', 'off'], "must be 'on' or 'off'"), 'on'),
  SES_ENDPOINT: z.optional(z.url()),
  STAGEFLOW_PUBLIC_URL: z.optional(z.url()),
  STAGEFLOW_SHOP_NAME: z._default(z.string().check(z.minLength(1)), 'Stageflow Shop'),
  STAGEFLOW_SHOP_URL: z._default(z.url(), 'https://shop.example'),
  STAGEFLOW_UNSUBSCRIBE_SECRET: z.optional(
    z.string().check(z.minLength(16, 'must be at least 16 characters')),
  ),
  STAGEFLOW_UNSUBSCRIBE_SECRET_ARN: z.optional(z.string().check(z.startsWith('arn:'))),
});

export interface StageflowConfig {
  tableName: string;
  dynamodbEndpoint?: string;
  retentionDays: number;
  stage: string;
  /** Prefix of every SES template this deployment owns (`stageflow-thank-you_de`). */
  templatePrefix: string;
  sender: string;
  sesConfigurationSet?: string;
  /** The configuration set without open and click tracking (trackingConsent false, tracking off). */
  sesUntrackedConfigurationSet?: string;
  /** Open and click tracking for everyone who did not refuse it (`on`), or for nobody (`off`). */
  tracking: 'on' | 'off';
  sesEndpoint?: string;
  /** Base URL of the public API, for unsubscribe links; the local stack sets its own URL. */
  publicUrl?: string;
  shopName: string;
  shopUrl: string;
  /** The unsubscribe HMAC secret itself (local, tests) or the Secrets Manager ARN holding it (deployed). */
  unsubscribeSecret?: string;
  unsubscribeSecretArn?: string;
}

/**
 * A setting is missing or invalid: a deployment error, never a per-mail one. Flows retry it
 * (the state machine retries `ConfigurationError` for days) instead of failing the mail.
 */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

let cached: StageflowConfig | undefined;

/** Reads and validates the environment once; a missing value fails loudly at cold start. */
export function config(): StageflowConfig {
  if (cached) return cached;
  const parsed = Config.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigurationError(`Invalid Stageflow configuration: ${problems}`);
  }
  cached = {
    tableName: parsed.data.TABLE_NAME,
    dynamodbEndpoint: parsed.data.DYNAMODB_ENDPOINT,
    retentionDays: parsed.data.STAGEFLOW_RETENTION_DAYS,
    stage: parsed.data.STAGEFLOW_STAGE,
    templatePrefix: parsed.data.STAGEFLOW_TEMPLATE_PREFIX,
    sender: parsed.data.STAGEFLOW_SENDER,
    sesConfigurationSet: parsed.data.SES_CONFIGURATION_SET,
    sesUntrackedConfigurationSet: parsed.data.SES_UNTRACKED_CONFIGURATION_SET,
    tracking: parsed.data.STAGEFLOW_TRACKING,
    sesEndpoint: parsed.data.SES_ENDPOINT,
    publicUrl: parsed.data.STAGEFLOW_PUBLIC_URL?.replace(/\/+$/, ''),
    shopName: parsed.data.STAGEFLOW_SHOP_NAME,
    shopUrl: parsed.data.STAGEFLOW_SHOP_URL.replace(/\/+$/, ''),
    unsubscribeSecret: parsed.data.STAGEFLOW_UNSUBSCRIBE_SECRET,
    unsubscribeSecretArn: parsed.data.STAGEFLOW_UNSUBSCRIBE_SECRET_ARN,
  };
  return cached;
}

const EventsConfig = /* @__PURE__ */ onFirstRead(() =>
  z.object({
    EVENT_BUS_NAME: z.string().check(z.minLength(1, 'EVENT_BUS_NAME must name the Stageflow event bus')),
    EVENTBRIDGE_ENDPOINT: z.optional(z.url()),
  }),
);

export interface StageflowEventsConfig {
  eventBusName: string;
  /** The local event bus (local/event-bus.ts); unset in AWS. */
  eventbridgeEndpoint?: string;
}

let cachedEvents: StageflowEventsConfig | undefined;

/** The event bus settings, read once; separate so only functions that publish need them. */
export function eventsConfig(): StageflowEventsConfig {
  if (cachedEvents) return cachedEvents;
  const parsed = EventsConfig().safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigurationError(`Invalid Stageflow configuration: ${problems}`);
  }
  cachedEvents = {
    eventBusName: parsed.data.EVENT_BUS_NAME,
    eventbridgeEndpoint: parsed.data.EVENTBRIDGE_ENDPOINT,
  };
  return cachedEvents;
}

const RuntimeConfig = z.object({
  STAGEFLOW_AUTH_CACHE_MS: z._default(z.coerce.number().check(z.int(), z.gte(0)), 30_000),
  STAGEFLOW_SES_FAULTS: z._default(z.enum(['on', 'off']), 'off'),
  STEPFUNCTIONS_ENDPOINT: z.optional(z.url()),
  FLOW_STATE_MACHINE_ARN_PREFIX: z.optional(z.string().check(z.startsWith('arn:'))),
  STAGEFLOW_USER_POOL_ID: z.optional(z.string().check(z.regex(/^[\w-]+_[0-9a-zA-Z]+$/))),
  STAGEFLOW_USER_POOL_CLIENT_ID: z.optional(z.string().check(z.minLength(1))),
});

export interface StageflowRuntimeConfig {
  /** How long a checked API key is trusted before it is read again (docs/security.md). */
  authCacheMs: number;
  /** The local stack's SES fault injection (local/stack.ts); never on when deployed. */
  sesFaults: boolean;
  /** The local Step Functions (local/step-functions.ts); unset in AWS. */
  stepFunctionsEndpoint?: string;
  /** The flow starter's state machines, `…:stateMachine:stageflow-<stage>-` + flow. */
  flowStateMachineArnPrefix?: string;
  /**
   * The console's Cognito user pool and app client (deployed only): the authorizer accepts
   * their access tokens. Unset locally, where a token is an unknown key.
   */
  userPool?: { userPoolId: string; clientId: string };
}

let cachedRuntime: StageflowRuntimeConfig | undefined;

/** The settings of the composition root (lib/runtime) and the flow starter; read once. */
export function runtimeConfig(): StageflowRuntimeConfig {
  if (cachedRuntime) return cachedRuntime;
  const parsed = RuntimeConfig.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigurationError(`Invalid Stageflow configuration: ${problems}`);
  }
  cachedRuntime = {
    authCacheMs: parsed.data.STAGEFLOW_AUTH_CACHE_MS,
    sesFaults: parsed.data.STAGEFLOW_SES_FAULTS === 'on',
    stepFunctionsEndpoint: parsed.data.STEPFUNCTIONS_ENDPOINT,
    flowStateMachineArnPrefix: parsed.data.FLOW_STATE_MACHINE_ARN_PREFIX,
    userPool:
      parsed.data.STAGEFLOW_USER_POOL_ID && parsed.data.STAGEFLOW_USER_POOL_CLIENT_ID
        ? {
            userPoolId: parsed.data.STAGEFLOW_USER_POOL_ID,
            clientId: parsed.data.STAGEFLOW_USER_POOL_CLIENT_ID,
          }
        : undefined,
  };
  return cachedRuntime;
}

/** For tests and the local stack, which set the environment after import. */
export function resetConfig(): void {
  cached = undefined;
  cachedEvents = undefined;
  cachedRuntime = undefined;
}

const AnalyticsConfig = /* @__PURE__ */ onFirstRead(() =>
  z.object({
    STAGEFLOW_REPORT_TIMEZONE: z._default(z.string(), 'UTC').check(
      z.refine((tz: string) => {
        try {
          new Intl.DateTimeFormat('en-CA', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'must be an IANA time zone such as Europe/Berlin'),
    ),
    STAGEFLOW_CURRENCY: z._default(
      z.string().check(z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')),
      'USD',
    ),
    // The projector's function name (deployed only): reports read its IteratorAge from CloudWatch.
    STAGEFLOW_ANALYTICS_PROJECTOR_FUNCTION: z.optional(
      z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a Lambda function name')),
    ),
  }),
);

export interface StageflowAnalyticsConfig {
  timeZone: string;
  currency: string;
  /**
   * The analytics projector's Lambda function name: reports read how far behind the stream it
   * is from its IteratorAge metric (docs/analytics.md, "Freshness"). Unset locally.
   */
  projectorFunctionName?: string;
}

let cachedAnalytics: StageflowAnalyticsConfig | undefined;

/** Report time zone, default currency, the projector's name (docs/analytics.md); read once, fails loudly when invalid. */
export function analyticsConfig(): StageflowAnalyticsConfig {
  if (cachedAnalytics) return cachedAnalytics;
  const parsed = AnalyticsConfig().safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid Stageflow configuration: ${problems}`);
  }
  cachedAnalytics = {
    timeZone: parsed.data.STAGEFLOW_REPORT_TIMEZONE,
    currency: parsed.data.STAGEFLOW_CURRENCY,
    projectorFunctionName: parsed.data.STAGEFLOW_ANALYTICS_PROJECTOR_FUNCTION,
  };
  return cachedAnalytics;
}

/*
 * Read on every call, not once: tests and the local stack change these while a process runs,
 * and each is cheap. Each takes the environment as a parameter so a test can pass its own.
 */
type Env = Record<string, string | undefined>;

const problemsOf = (error: z.core.$ZodError) =>
  error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');

/**
 * STAGEFLOW_TIME_SCALE multiplies every wait a flow makes (and the frequency-cap window):
 * 1 is real time, 0.00001 makes a day last about a second. Deployed stacks use 1.
 */
export function timeScale(env: Env = process.env): number {
  const raw = env.STAGEFLOW_TIME_SCALE;
  if (raw === undefined || raw === '') return 1;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError(`STAGEFLOW_TIME_SCALE must be a positive number, got "${raw}"`);
  }
  return value;
}

const FlowEnv = /* @__PURE__ */ onFirstRead(() =>
  z.object({
    STAGEFLOW_FREQUENCY_CAP: z._default(z.coerce.number().check(z.int(), z.gte(1)), 3),
    STAGEFLOW_FREQUENCY_WINDOW_DAYS: z._default(z.coerce.number().check(z.positive()), 7),
    STAGEFLOW_QUIET_HOURS: z._default(
      z.string().check(z.regex(/^\d{1,2}-\d{1,2}$/, 'must look like 21-8 (start hour - end hour)')),
      '21-8',
    ),
    STAGEFLOW_DEFAULT_TIME_ZONE: z._default(z.string(), 'UTC'),
    // Longer than a send task can run (flowSend's timeout is 30 s): an unexpired claim is live.
    STAGEFLOW_SEND_LEASE_SECONDS: z._default(z.coerce.number().check(z.positive()), 300),
  }),
);

/** The flows' settings (the flows context's FlowSettings): cap, window, quiet hours, time scale, send lease. */
export interface FlowConfig {
  frequencyCap: number;
  frequencyWindowMs: number;
  quietHours: { start: number; end: number };
  timeScale: number;
  defaultTimeZone: string;
  sendLeaseMs: number;
}

export function flowConfig(env: Env = process.env): FlowConfig {
  const parsed = FlowEnv().safeParse(env);
  if (!parsed.success) throw new ConfigurationError(`Invalid flow settings: ${problemsOf(parsed.error)}`);
  const [start, end] = parsed.data.STAGEFLOW_QUIET_HOURS.split('-').map(Number);
  return {
    frequencyCap: parsed.data.STAGEFLOW_FREQUENCY_CAP,
    frequencyWindowMs: parsed.data.STAGEFLOW_FREQUENCY_WINDOW_DAYS * 24 * 3600 * 1000,
    quietHours: { start, end },
    timeScale: timeScale(env),
    defaultTimeZone: parsed.data.STAGEFLOW_DEFAULT_TIME_ZONE,
    sendLeaseMs: parsed.data.STAGEFLOW_SEND_LEASE_SECONDS * 1000,
  };
}

/** STAGEFLOW_FLOW_TRACE=stdout: a flow worker thread prints the flow trace (local/flows-worker.ts). */
export const flowTraceToStdout = (env: Env = process.env): boolean => env.STAGEFLOW_FLOW_TRACE === 'stdout';

const MeasurementEnv = /* @__PURE__ */ onFirstRead(() =>
  z.object({
    STAGEFLOW_SEED_HOLDOUT_PERCENT: z.optional(z.coerce.number().check(z.gte(0), z.lte(100))),
  }),
);

/** Measurement settings (docs/measurement.md); `seedHoldoutPercent` unset means the campaigns' default. */
export function measurementConfig(env: Env = process.env): { seedHoldoutPercent?: number } {
  const parsed = MeasurementEnv().safeParse(env);
  if (!parsed.success)
    throw new ConfigurationError(`Invalid measurement settings: ${problemsOf(parsed.error)}`);
  return { seedHoldoutPercent: parsed.data.STAGEFLOW_SEED_HOLDOUT_PERCENT };
}

const positive = (value: string | undefined): number | undefined => {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) && n > 0 ? n : undefined;
};

/**
 * The limit of a key without its own: STAGEFLOW_KEY_RATE_LIMIT requests per second (default 50)
 * with a burst of STAGEFLOW_KEY_RATE_BURST (default twice the rate).
 */
export function keyRateLimitDefaults(env: Env = process.env): { perSecond: number; burst: number } {
  const perSecond = positive(env.STAGEFLOW_KEY_RATE_LIMIT) ?? 50;
  return {
    perSecond,
    burst: positive(env.STAGEFLOW_KEY_RATE_BURST) ?? Math.max(1, Math.ceil(perSecond * 2)),
  };
}

/** The region a local stand-in's client signs for (AWS_REGION, default us-east-1). */
export const localRegion = (env: Env = process.env): string => env.AWS_REGION ?? 'us-east-1';
