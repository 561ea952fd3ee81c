/**
 * Every Lambda function, and every HTTP route with the function that serves it. CDK builds
 * the functions and the HTTP API from these lists and the local stack loads and routes with
 * them, so the two cannot drift apart.
 */

/**
 * What invokes a function: API Gateway (the default), the table's stream, an EventBridge rule,
 * a state machine task, CloudFormation on every deploy (a CDK Trigger), or API Gateway as the
 * HTTP API's Lambda authorizer (AUTHORIZER below).
 */
export type FunctionTrigger = 'http' | 'stream' | 'event' | 'task' | 'deploy' | 'authorizer';

export interface FunctionSpec {
  entry: string;
  memoryMb: number;
  timeoutSeconds: number;
  description: string;
  /** Absent means 'http'. Only HTTP functions may serve ROUTES. */
  trigger?: FunctionTrigger;
}

export const FUNCTIONS = {
  ingest: {
    entry: 'functions/ingest.ts',
    memoryMb: 1024,
    timeoutSeconds: 29,
    description: 'Touchpoint ingest',
  },
  customers: {
    entry: 'functions/customers.ts',
    memoryMb: 512,
    timeoutSeconds: 15,
    description: 'Customer reads',
  },
  health: { entry: 'functions/health.ts', memoryMb: 128, timeoutSeconds: 3, description: 'Health check' },
  openapi: {
    entry: 'functions/openapi.ts',
    memoryMb: 128,
    timeoutSeconds: 3,
    description: 'The OpenAPI document (docs/openapi.json)',
  },
  authorize: {
    entry: 'functions/authorize.ts',
    memoryMb: 256,
    timeoutSeconds: 5,
    description: 'Lambda authorizer: checks the API key against the stored hashes',
    trigger: 'authorizer',
  },
  campaigns: {
    entry: 'functions/campaigns.ts',
    memoryMb: 512,
    timeoutSeconds: 15,
    description: 'Campaign management (admin)',
  },
  templates: {
    entry: 'functions/templates.ts',
    memoryMb: 512,
    timeoutSeconds: 15,
    description: 'SES email templates and previews (admin)',
  },
  keys: {
    entry: 'functions/keys.ts',
    memoryMb: 256,
    timeoutSeconds: 10,
    description: 'API keys over HTTP for the console (admin), and who the calling key is',
  },
  unsubscribe: {
    entry: 'functions/unsubscribe.ts',
    memoryMb: 256,
    timeoutSeconds: 10,
    description: 'Unsubscribe page and RFC 8058 one-click unsubscribe (no key)',
  },
  analytics: {
    entry: 'functions/analytics.ts',
    memoryMb: 512,
    timeoutSeconds: 15,
    description: 'Reports: stages now, funnel, attribution (admin)',
  },
  projectAnalytics: {
    entry: 'functions/project-analytics.ts',
    memoryMb: 512,
    timeoutSeconds: 60,
    description: 'Analytics projector: profile changes on the table stream to the report aggregates',
    trigger: 'stream',
  },
  relayOutbox: {
    entry: 'functions/relay-outbox.ts',
    memoryMb: 256,
    timeoutSeconds: 60,
    description: 'Outbox relay: table stream to the event bus',
    trigger: 'stream',
  },
  seedDefaults: {
    entry: 'functions/seed-defaults.ts',
    memoryMb: 256,
    timeoutSeconds: 120,
    description: 'Seeds the default templates and campaigns on every deploy (idempotent)',
    trigger: 'deploy',
  },
  marketingSwitch: {
    entry: 'functions/marketing-switch.ts',
    memoryMb: 128,
    timeoutSeconds: 10,
    description: 'Pauses marketing mail while an SES reputation alarm is in ALARM',
    trigger: 'event',
  },
  startFlow: {
    entry: 'functions/start-flow.ts',
    memoryMb: 256,
    timeoutSeconds: 15,
    description: 'Flow starter: one execution per event id',
    trigger: 'event',
  },
  flowPlan: {
    entry: 'functions/flow-plan.ts',
    memoryMb: 512,
    timeoutSeconds: 30,
    description: 'Flow task: find the campaigns an event triggers',
    trigger: 'task',
  },
  flowSend: {
    entry: 'functions/flow-send.ts',
    memoryMb: 512,
    timeoutSeconds: 30,
    description: 'Flow task: check everything again and send one campaign step',
    trigger: 'task',
  },
  issueRewards: {
    entry: 'functions/issue-rewards.ts',
    memoryMb: 256,
    timeoutSeconds: 15,
    description: 'Flow task: Reward Issued for both sides of a referral',
    trigger: 'task',
  },
  measurement: {
    entry: 'functions/measurement.ts',
    memoryMb: 512,
    timeoutSeconds: 15,
    description: 'Campaign metrics, the global control report and settings (admin)',
  },
  sesEvents: {
    entry: 'functions/ses-events.ts',
    memoryMb: 256,
    timeoutSeconds: 15,
    description: 'SES bounces and complaints (default bus, sesEventsRulePattern) to the suppression list',
    trigger: 'event',
  },
} as const satisfies Record<string, FunctionSpec>;
export type FunctionName = keyof typeof FUNCTIONS;

/** The functions API Gateway invokes: every entry without a non-HTTP `trigger`. */
export type HttpFunctionName = {
  [K in FunctionName]: (typeof FUNCTIONS)[K] extends { trigger: Exclude<FunctionTrigger, 'http'> }
    ? never
    : K;
}[FunctionName];

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  fn: HttpFunctionName;
  /** Routes open without a key. */
  public?: boolean;
  /**
   * The key scope a route needs (default ingest); the handler checks it too. A read key passes
   * every GET route whatever its scope (scopeAllows in lib/auth/authenticate.ts).
   */
  scope?: 'ingest' | 'admin';
}

/** The routes as literals, so route keys are types (RouteKey) and a mistyped one does not compile. */
const ROUTE_TABLE = [
  { method: 'GET', path: '/health', fn: 'health', public: true },
  { method: 'POST', path: '/v1/touchpoints', fn: 'ingest' },
  { method: 'POST', path: '/v1/track', fn: 'ingest' },
  { method: 'POST', path: '/v1/identify', fn: 'ingest' },
  { method: 'POST', path: '/v1/alias', fn: 'ingest' },
  { method: 'POST', path: '/v1/page', fn: 'ingest' },
  { method: 'POST', path: '/v1/screen', fn: 'ingest' },
  { method: 'POST', path: '/v1/group', fn: 'ingest' },
  { method: 'POST', path: '/v1/batch', fn: 'ingest' },
  { method: 'POST', path: '/v1/import', fn: 'ingest' },
  { method: 'GET', path: '/v1/customers', fn: 'customers', scope: 'admin' },
  { method: 'GET', path: '/v1/customers/{customerId}', fn: 'customers' },
  { method: 'GET', path: '/v1/customers/{customerId}/touchpoints', fn: 'customers' },
  { method: 'GET', path: '/v1/customers/{customerId}/transitions', fn: 'customers' },
  { method: 'GET', path: '/v1/customers/{customerId}/messages', fn: 'customers', scope: 'admin' },
  { method: 'GET', path: '/v1/messages', fn: 'customers', scope: 'admin' },
  { method: 'GET', path: '/v1/customers/{customerId}/export', fn: 'customers', scope: 'admin' },
  { method: 'DELETE', path: '/v1/customers/{customerId}', fn: 'customers', scope: 'admin' },
  { method: 'POST', path: '/v1/campaigns', fn: 'campaigns', scope: 'admin' },
  { method: 'GET', path: '/v1/campaigns', fn: 'campaigns', scope: 'admin' },
  // Before `{campaignId}`: the local server takes the first match (API Gateway the most specific).
  { method: 'GET', path: '/v1/campaigns/metrics', fn: 'measurement', scope: 'admin' },
  { method: 'GET', path: '/v1/campaigns/{campaignId}/metrics', fn: 'measurement', scope: 'admin' },
  { method: 'GET', path: '/v1/campaigns/{campaignId}', fn: 'campaigns', scope: 'admin' },
  { method: 'PUT', path: '/v1/campaigns/{campaignId}', fn: 'campaigns', scope: 'admin' },
  { method: 'PATCH', path: '/v1/campaigns/{campaignId}', fn: 'campaigns', scope: 'admin' },
  { method: 'DELETE', path: '/v1/campaigns/{campaignId}', fn: 'campaigns', scope: 'admin' },
  { method: 'GET', path: '/v1/campaigns/{campaignId}/stats', fn: 'campaigns', scope: 'admin' },
  { method: 'GET', path: '/v1/campaigns/{campaignId}/status-changes', fn: 'campaigns', scope: 'admin' },
  { method: 'POST', path: '/v1/campaigns/{campaignId}/activate', fn: 'campaigns', scope: 'admin' },
  { method: 'POST', path: '/v1/campaigns/{campaignId}/pause', fn: 'campaigns', scope: 'admin' },
  { method: 'GET', path: '/v1/templates', fn: 'templates', scope: 'admin' },
  { method: 'GET', path: '/v1/templates/{name}', fn: 'templates', scope: 'admin' },
  { method: 'PUT', path: '/v1/templates/{name}', fn: 'templates', scope: 'admin' },
  { method: 'PATCH', path: '/v1/templates/{name}', fn: 'templates', scope: 'admin' },
  { method: 'DELETE', path: '/v1/templates/{name}', fn: 'templates', scope: 'admin' },
  { method: 'POST', path: '/v1/templates/{name}/preview', fn: 'templates', scope: 'admin' },
  { method: 'POST', path: '/v1/templates/{name}/test-send', fn: 'templates', scope: 'admin' },
  { method: 'GET', path: '/v1/analytics/stages', fn: 'analytics', scope: 'admin' },
  { method: 'GET', path: '/v1/analytics/funnel', fn: 'analytics', scope: 'admin' },
  { method: 'GET', path: '/v1/analytics/attribution', fn: 'analytics', scope: 'admin' },
  { method: 'GET', path: '/v1/analytics/global-control', fn: 'measurement', scope: 'admin' },
  { method: 'GET', path: '/v1/settings', fn: 'measurement', scope: 'admin' },
  { method: 'PATCH', path: '/v1/settings', fn: 'measurement', scope: 'admin' },
  { method: 'GET', path: '/v1/keys/current', fn: 'keys' },
  { method: 'GET', path: '/v1/keys', fn: 'keys', scope: 'admin' },
  { method: 'POST', path: '/v1/keys', fn: 'keys', scope: 'admin' },
  { method: 'DELETE', path: '/v1/keys/{keyId}', fn: 'keys', scope: 'admin' },
  { method: 'GET', path: '/v1/unsubscribe/{token}', fn: 'unsubscribe', public: true },
  { method: 'POST', path: '/v1/unsubscribe/{token}', fn: 'unsubscribe', public: true },
  { method: 'GET', path: '/v1/openapi.json', fn: 'openapi', public: true },
] as const satisfies readonly Route[];

export const ROUTES: readonly Route[] = ROUTE_TABLE;

type RouteKeyOf<R> = R extends { method: infer M extends string; path: infer P extends string }
  ? `${M} ${P}`
  : never;

/** Every route key API Gateway can send (`GET /v1/customers/{customerId}`), checked at compile time. */
export type RouteKey = RouteKeyOf<(typeof ROUTE_TABLE)[number]>;

/** The route keys one function serves: the cases of its handler's `switch`. */
export type RouteKeyFor<F extends HttpFunctionName> = RouteKeyOf<
  Extract<(typeof ROUTE_TABLE)[number], { fn: F }>
>;

/** The event's route key, typed as one of the function's own (API Gateway only sends those). */
export const routeKeyOf = <F extends HttpFunctionName>(event: { routeKey: string }): RouteKeyFor<F> =>
  event.routeKey as RouteKeyFor<F>;

/** The key scope a route needs, by its route key (`GET /v1/customers/{customerId}`); admin if unknown. */
export function scopeOf(routeKey: string): 'ingest' | 'admin' {
  const route = ROUTES.find((r) => `${r.method} ${r.path}` === routeKey);
  return route ? (route.scope ?? 'ingest') : 'admin';
}

/**
 * How API Gateway runs the Lambda authorizer (FUNCTIONS.authorize) on every route not marked
 * `public`; CDK configures it from here and the local API server emulates it with the same
 * values.
 *
 * No identity source, so API Gateway calls the authorizer even without an Authorization header
 * and the route can answer that 401 as problem+json like every other error (with an identity
 * source API Gateway answers a bare `{"message":"Unauthorized"}` itself). API Gateway caches
 * results only per identity source, so its cache is off; the authorizer keeps its own key
 * cache (STAGEFLOW_AUTH_CACHE_MS, 30 s), so a key is read from the table at most that often
 * per container, and a revocation takes effect within it. docs/security.md.
 */
export const AUTHORIZER = {
  function: 'authorize',
  identitySource: null as string | null,
  header: 'authorization',
  payloadFormatVersion: '2.0',
  simpleResponses: true,
  cacheTtlSeconds: 0,
} as const satisfies { function: FunctionName } & Record<string, unknown>;

/** Matches a concrete path against a route template; returns the path parameters. */
export function matchPath(template: string, path: string): Record<string, string> | null {
  const t = template.split('/');
  const p = path.replace(/\/+$/, '').split('/');
  if (t.length !== p.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const m = /^\{(\w+)\}$/.exec(t[i]);
    if (m) {
      if (!p[i]) return null;
      params[m[1]] = p[i];
    } else if (t[i] !== p[i]) return null;
  }
  return params;
}
