import type { Profile } from '../ingest/index.js';
import { firstNameOf } from '../shared/touchpoint-fields.js';

export interface PersonaliseSettings {
  shopName: string;
  shopUrl: string;
}

const text = (v: unknown): string =>
  v === undefined || v === null ? '' : typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';

/** Products as `{name, …}` objects whatever the flow passed (names, ids or objects). */
function products(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) return [];
  return value.map((p) =>
    p && typeof p === 'object'
      ? { ...(p as Record<string, unknown>), name: text((p as { name?: unknown }).name) }
      : { name: text(p) },
  );
}

/**
 * Every template variable (TEMPLATE_VARIABLES) with a value, empty when unknown, so a template
 * may use any of them; plus whatever else the caller passes. Not yet escaped: see templateData().
 */
export function templateVariables(
  settings: PersonaliseSettings,
  input: { unsubscribeUrl: string; data: Record<string, unknown> },
): Record<string, unknown> {
  const { data } = input;
  const referralCode = text(data.referralCode);
  return {
    ...data,
    firstName: text(data.firstName),
    orderId: text(data.orderId),
    products: products(data.products),
    referralCode,
    referralUrl:
      text(data.referralUrl) ||
      (referralCode ? `${settings.shopUrl}/?ref=${encodeURIComponent(referralCode)}` : ''),
    unsubscribeUrl: input.unsubscribeUrl,
    shopName: settings.shopName,
    shopUrl: settings.shopUrl,
    isReferrer: data.isReferrer === true || data.role === 'referrer',
  };
}

/** What a profile says about a customer that a template may use. */
export function profileData(profile: Profile): Record<string, unknown> {
  const traits = profile.state.traits;
  const firstName = firstNameOf(traits) ?? '';
  const referralCode = (profile as Profile & { referralCode?: string }).referralCode;
  return { firstName, ...(referralCode ? { referralCode } : {}) };
}

/** What a test send without a customer fills the template with. */
export const SAMPLE_DATA: Readonly<Record<string, unknown>> = {
  firstName: 'Alex',
  orderId: 'SAMPLE-1001',
  products: [{ name: 'Sample product', productId: 'sample-1' }],
  referralCode: 'SAMPLE10',
};
