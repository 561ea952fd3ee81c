import { type CompiledModel, compileModel } from './model.js';
import { socialCustomerJourney } from './social-customer-journey.js';

export * from './engine.js';
export * from './model.js';

/** The default model, validated once at module load so a broken model fails at cold start. */
export const defaultModel: CompiledModel = compileModel(socialCustomerJourney);
