import { logger } from '../lib/runtime/container.js';
import { taskHandler } from '../lib/runtime/handlers.js';
import { messaging } from '../lib/runtime/messaging.js';
import { seedDefaults } from '../lib/runtime/seed-defaults.js';

interface SeedEvent {
  /** Set when run as a CloudFormation custom resource (Provider framework); absent for a Trigger. */
  RequestType?: 'Create' | 'Update' | 'Delete';
  PhysicalResourceId?: string;
}

const RESOURCE_ID = 'stageflow-defaults';

/**
 * Deploy-time seeding of the default templates and campaigns, as a CDK Trigger or a custom
 * resource. Idempotent; a Delete does nothing (a marketer's campaigns outlive the stack's
 * seeding). Throws on failure so the deployment fails and rolls back.
 */
export const handler = taskHandler<
  SeedEvent | undefined,
  { PhysicalResourceId: string; Data?: Record<string, number> }
>(async (event) => {
  if (event?.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId ?? RESOURCE_ID };
  const seeded = await seedDefaults(messaging());
  const data = {
    templatesCreated: seeded.templatesCreated.length,
    campaignsCreated: seeded.campaignsCreated.length,
  };
  logger.info('defaults seeded', data);
  return { PhysicalResourceId: RESOURCE_ID, Data: data };
});
