import type { EngineTouchpoint } from '../journey/index.js';
import type { Touchpoint } from './schema.js';

/** The part of a stored touchpoint the journey engine reads. */
export const toEngineTouchpoint = (tp: Touchpoint): EngineTouchpoint => ({
  messageId: tp.messageId,
  timestamp: tp.timestamp,
  event: tp.event,
  properties: tp.properties,
  traits: tp.traits,
  channel: tp.channel,
  campaign: tp.context?.campaign as EngineTouchpoint['campaign'],
});
