/** What a PATCH body may be: RFC 7396 JSON Merge Patch, or plain JSON read the same way. */
export const MERGE_PATCH_TYPES = ['application/merge-patch+json', 'application/json'] as const;
