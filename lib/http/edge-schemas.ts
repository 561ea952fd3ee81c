import * as z from 'zod';

/**
 * What the HTTP edge itself answers: every error as RFC 9457 problem+json, and the health
 * check. api/openapi.ts documents them; integration tests check every response against them.
 */

export const FieldError = z.object({
  path: z.string().describe('Dotted path of the offending field, e.g. `batch[3].userId`'),
  pointer: z.string().describe('The same as a JSON Pointer, e.g. `/batch/3/userId`'),
  message: z.string(),
});

export const Problem = z
  .object({
    type: z.url().describe('https://stageflow.dev/problems/<slug>'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional().describe('The request path'),
    errors: z.array(FieldError).optional(),
  })
  .describe('RFC 9457 problem details');

export const Health = z.object({ status: z.literal('ok'), service: z.literal('stageflow') });
