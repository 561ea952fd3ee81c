import { addressHash } from '../shared/address-hash.js';
import type { Profile } from './ports.js';

/** The list key of a customer who has no stage yet (stage names are lower snake_case). */
export const NO_STAGE = '-';
/** The channel and campaign of a customer without an acquisition, as the funnel groups them. */
export const DIRECT_CHANNEL = 'direct';
export const NO_CAMPAIGN = '(none)';

/**
 * The hour a customer was last active, from the newest touchpoint's event time. An hour, not
 * the instant: the index key then moves at most once an hour per customer, so a session of
 * touchpoints costs one index update instead of one per touchpoint (docs/storage.md).
 */
export const activeHour = (profile: Pick<Profile, 'state' | 'updatedAt'>): string =>
  (profile.state.lastKey ?? profile.updatedAt).slice(0, 13);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() ? value.trim() : undefined;

/**
 * The attributes on the profile item that place it in the customer lists (the table's
 * indexes, lib/storage/table.ts) and what a list shows of it. Derived from the profile alone,
 * so they are rewritten with it and vanish with it: an erased or merged customer leaves
 * every list in the same write.
 */
export function listAttributes(profile: Profile): Record<string, unknown> {
  const { state, customerId } = profile;
  const acquisition = state.acquisition;
  const email = text(state.traits.email);
  return {
    listStage: state.stage ?? NO_STAGE,
    listActive: `${activeHour(profile)}#${customerId}`,
    listChannel: acquisition?.channel ?? DIRECT_CHANNEL,
    listCampaign: acquisition?.campaign?.name ?? NO_CAMPAIGN,
    listAcquired: `${acquisition?.at ?? profile.createdAt}#${customerId}`,
    listEmail: email?.includes('@') ? addressHash(email) : undefined,
    stageSince: state.stageSince ?? undefined,
    email,
    firstName: text(state.traits.firstName),
    acquisition: acquisition ?? undefined,
  };
}
