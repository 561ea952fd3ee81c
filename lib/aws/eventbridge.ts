import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { eventsConfig } from '../config.js';
import { localEndpoint } from './clients.js';

let eventBridge: EventBridgeClient | undefined;

/** One EventBridge client per process, pointed at the local bus when EVENTBRIDGE_ENDPOINT is set. */
export function eventBridgeClient(): EventBridgeClient {
  eventBridge ??= createEventBridgeClient(eventsConfig().eventbridgeEndpoint);
  return eventBridge;
}

export function createEventBridgeClient(endpoint?: string): EventBridgeClient {
  return new EventBridgeClient({
    ...localEndpoint(endpoint),
    // Throttling and 5xx are retried by the SDK; what is left fails the batch, which the
    // stream retries from the first unpublished record.
    maxAttempts: 3,
  });
}
