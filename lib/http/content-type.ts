import type middy from '@middy/core';
import { MERGE_PATCH_TYPES } from './merge-patch.js';
import { type HttpEvent, type HttpResult, header } from './middleware.js';
import { UnsupportedMediaTypeError } from './problem.js';

/** Refuses a PATCH whose Content-Type is not a merge patch (415, with Accept-Patch). */
export function mergePatchContentType(): middy.MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: async ({ event }) => {
      const value = header(event, 'content-type');
      const type = value?.split(';')[0].trim().toLowerCase();
      if (!type || !(MERGE_PATCH_TYPES as readonly string[]).includes(type)) {
        throw new UnsupportedMediaTypeError(value?.slice(0, 100), MERGE_PATCH_TYPES);
      }
    },
  };
}
