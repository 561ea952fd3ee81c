import { Logger } from '@aws-lambda-powertools/logger';
import { redactPersonalData } from '../shared/redact.js';

/** One logger per process: structured JSON, correlation ids, never PII (docs/security.md). */
export const logger = new Logger({ serviceName: 'stageflow', jsonReplacerFn: redactPersonalData });
