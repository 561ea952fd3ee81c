import type middy from '@middy/core';
import type { HttpEvent, HttpResult } from './middleware.js';

/** Runs a middleware's `before` only for requests that match, e.g. a JSON body on writes only. */
export function onlyFor(
  applies: (event: HttpEvent) => boolean,
  middleware: middy.MiddlewareObj<HttpEvent, HttpResult>,
): middy.MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: async (request) => {
      if (applies(request.event)) return middleware.before?.(request);
    },
  };
}

/** The number in `If-Match: "3"` (or `3`, `W/"3"`); undefined when absent or not a version. */
export function ifMatchVersion(value: string | undefined): number | undefined {
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(value ?? '');
  return m ? Number(m[1]) : undefined;
}
