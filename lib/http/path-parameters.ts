import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { toPointer, ValidationError } from '../shared/errors.js';

/** Longer than any id Stageflow makes or accepts (256 characters, up to 3 bytes each), within DynamoDB's key limits. */
export const MAX_PATH_PARAMETER_BYTES = 1024;

/**
 * A path parameter exactly as API Gateway (HTTP API) hands it over: already percent-decoded,
 * so it is never decoded again. Decoding twice is what answered `/v1/campaigns/100%25` (the
 * id `100%`) with a 500; a malformed escape never reaches a handler, the gateway (and the local
 * stack's stand-in) refuses it with a 400. Missing, empty or oversize values are a 400 problem
 * naming the parameter. Every handler reads its path parameters through here.
 */
export function pathParameter(event: APIGatewayProxyEventV2, name: string): string {
  const value = event.pathParameters?.[name];
  const problem = (message: string) =>
    new ValidationError([{ path: name, pointer: toPointer(name), message }], 'Invalid path parameter');
  if (value === undefined || value === '') throw problem('is missing from the path');
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_PATH_PARAMETER_BYTES) {
    throw problem(`must be at most ${MAX_PATH_PARAMETER_BYTES} bytes (got ${bytes})`);
  }
  return value;
}
