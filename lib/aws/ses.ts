import { SESv2Client } from '@aws-sdk/client-sesv2';
import { config } from '../config.js';
import { localEndpoint } from './clients.js';

let ses: SESv2Client | undefined;

/** One SES v2 client per process, pointed at aws-ses-v2-local when SES_ENDPOINT is set. */
export function sesClient(): SESv2Client {
  ses ??= createSesClient(config().sesEndpoint);
  return ses;
}

export function createSesClient(endpoint?: string): SESv2Client {
  return new SESv2Client({
    ...localEndpoint(endpoint),
    // The SDK retries throttling itself a few times; what is left is classified and rethrown.
    maxAttempts: 3,
  });
}
