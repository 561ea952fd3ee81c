import * as z from 'zod';

/** What POST /v1/unsubscribe/{token} answers as JSON (api/openapi.ts documents it). */
export const Unsubscribed = z.object({ status: z.literal('unsubscribed') });
