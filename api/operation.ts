import type { core } from 'zod';
import * as z from 'zod';

/**
 * One documented operation of the HTTP API. Request and response bodies are the zod schemas
 * the handlers validate with and the use cases' response contracts (lib/<context>/http-schemas.ts);
 * api/openapi.ts turns them into OpenAPI with zod-openapi, and test/support/contract.ts checks
 * every response of the integration tests against them.
 */
export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tag:
    | 'Touchpoints'
    | 'Segment'
    | 'Customers'
    | 'Analytics'
    | 'Campaigns'
    | 'Keys'
    | 'Templates'
    | 'Unsubscribe'
    | 'Settings'
    | 'Meta';
  /** Classic or mini zod (zod-openapi reads zod core); ingest's schemas are zod/mini (lib/shared/zod.ts). */
  query?: core.$ZodObject;
  body?: Body & { required?: boolean };
  /** Success responses; errors are added from the route's kind. */
  responses: Record<
    number,
    { description: string; body?: Body; headers?: Record<string, { schema: { type: 'string' } }> }
  >;
  /** Error statuses beyond the common ones (400 for bodies and queries, 401/429 with a key, 403 on admin routes). */
  errors?: Record<number, string>;
}

export interface Body {
  schema: core.$ZodType;
  /** Default application/json; several for a request body read the same way in each. */
  contentType?: string | readonly string[];
  example?: unknown;
}

/** Operations by route key (`METHOD /path`, as in ROUTES). */
export type Operations = Record<string, Operation>;

/** Exactly one of two schemas, rendered as `oneOf` (zod renders a union as `anyOf`). */
export const oneOf = <A extends core.$ZodType, B extends core.$ZodType>(a: A, b: B) =>
  z.union([a, b]).meta({
    override: (ctx: { jsonSchema: Record<string, unknown> }) => {
      ctx.jsonSchema.oneOf = ctx.jsonSchema.anyOf;
      delete ctx.jsonSchema.anyOf;
    },
  });
