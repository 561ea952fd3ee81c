import { type CompiledModel, indexModel } from './model.js';
import { socialCustomerJourney } from './social-customer-journey.js';

export * from './engine.js';
export * from './model.js';

/**
 * The default model. Typed as a JourneyModel and checked by test/unit/engine.test.ts (it parses
 * to itself), so it is not parsed again at every cold start: no request needs that work.
 */
export const defaultModel: CompiledModel = indexModel(socialCustomerJourney);
