import { eventBridgeClient } from '../aws/eventbridge.js';
import { eventsConfig } from '../config.js';
import { EventBridgePublisher } from '../events/eventbridge-publisher.js';
import { OutboxRelay } from '../events/index.js';
import { logger, once } from './container.js';

/** The outbox relay's wiring, apart from container(): the relay needs the bus, not the table. */
export const outboxRelay = once(
  () => new OutboxRelay(new EventBridgePublisher(eventBridgeClient(), eventsConfig().eventBusName), logger),
);
