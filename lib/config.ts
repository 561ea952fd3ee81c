import * as z from 'zod';

const Config = z.object({
  TABLE_NAME: z.string().min(1, 'TABLE_NAME must name the Stageflow table'),
  DYNAMODB_ENDPOINT: z.url().optional(),
  STAGEFLOW_RETENTION_DAYS: z.coerce.number().int().positive().default(400),
  STAGEFLOW_STAGE: z.string().default('dev'),
});

export interface StageflowConfig {
  tableName: string;
  dynamodbEndpoint?: string;
  retentionDays: number;
  stage: string;
}

let cached: StageflowConfig | undefined;

/** Reads and validates the environment once; a missing value fails loudly at cold start. */
export function config(): StageflowConfig {
  if (cached) return cached;
  const parsed = Config.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid Stageflow configuration: ${problems}`);
  }
  cached = {
    tableName: parsed.data.TABLE_NAME,
    dynamodbEndpoint: parsed.data.DYNAMODB_ENDPOINT,
    retentionDays: parsed.data.STAGEFLOW_RETENTION_DAYS,
    stage: parsed.data.STAGEFLOW_STAGE,
  };
  return cached;
}

const EventsConfig = z.object({
  EVENT_BUS_NAME: z.string().min(1, 'EVENT_BUS_NAME must name the Stageflow event bus'),
  EVENTBRIDGE_ENDPOINT: z.url().optional(),
});

export interface StageflowEventsConfig {
  eventBusName: string;
  /** The local event bus (local/event-bus.ts); unset in AWS. */
  eventbridgeEndpoint?: string;
}

let cachedEvents: StageflowEventsConfig | undefined;

/** The event bus settings, read once; separate so only functions that publish need them. */
export function eventsConfig(): StageflowEventsConfig {
  if (cachedEvents) return cachedEvents;
  const parsed = EventsConfig.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid Stageflow configuration: ${problems}`);
  }
  cachedEvents = {
    eventBusName: parsed.data.EVENT_BUS_NAME,
    eventbridgeEndpoint: parsed.data.EVENTBRIDGE_ENDPOINT,
  };
  return cachedEvents;
}

/** For tests and the local stack, which set the environment after import. */
export function resetConfig(): void {
  cached = undefined;
  cachedEvents = undefined;
}
