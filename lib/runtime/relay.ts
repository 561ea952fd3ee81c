import { eventBridgeClient } from '../aws/eventbridge.js';
import { eventsConfig } from '../config.js';
import { EventBridgePublisher } from '../events/eventbridge-publisher.js';
import { OutboxRelay } from '../events/relay.js';
import { logger } from './container.js';

const once = <T>(make: () => T): (() => T) => {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
};

/** The outbox relay's wiring, apart from container(): the relay needs the bus, not the table. */
export const outboxRelay = once(
  () => new OutboxRelay(new EventBridgePublisher(eventBridgeClient(), eventsConfig().eventBusName), logger),
);
