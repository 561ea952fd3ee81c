/**
 * The message a mail belongs to, carried in its SES message tags so every SES event maps back
 * to the per-customer message item without the provider's message id.
 *
 * SES tag values allow only `[A-Za-z0-9_-]` and at most 256 characters, and customer ids may be
 * 256 characters of any script. So the run and step go into one tag (`sf_msg`: the 32 hex digits
 * of the run id and two digits of step) and the customer id, base64url-encoded (whose alphabet
 * is exactly the allowed one), into as many `sf_c<n>` tags of up to 256 characters as it needs
 * (at most 6 for 256 four-byte characters; SES allows 50 tags a mail). No lookup item, so
 * nothing outside the customer's partition has to be erased with them.
 */
export interface MessageKey {
  customerId: string;
  runId: string;
  step: number;
}

export const MESSAGE_TAG = 'sf_msg';
const CUSTOMER_TAG = 'sf_c';
const TAG_VALUE_MAX = 256;
const RUN_STEP = /^([A-Za-z0-9_-]{1,200})-(\d{1,3})$/;

/** The tags that carry a message key (merge them into the mail's other tags). */
export function messageKeyTags(key: MessageKey): Record<string, string> {
  // A hyphen is fine: the decoder takes the step from the last `-<digits>`.
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(key.runId)) throw new Error(`run id ${key.runId} cannot be a tag value`);
  const tags: Record<string, string> = {
    [MESSAGE_TAG]: `${key.runId}-${String(key.step).padStart(2, '0')}`,
  };
  const encoded = Buffer.from(key.customerId, 'utf8').toString('base64url');
  for (let i = 0; i * TAG_VALUE_MAX < encoded.length; i++) {
    tags[`${CUSTOMER_TAG}${i}`] = encoded.slice(i * TAG_VALUE_MAX, (i + 1) * TAG_VALUE_MAX);
  }
  return tags;
}

/** The message key in an SES event's `mail.tags` (each tag a list of values), or null. */
export function messageKeyOf(tags: Record<string, unknown> | undefined): MessageKey | null {
  if (!tags) return null;
  const first = (name: string): string | undefined => {
    const value = tags[name];
    const v = Array.isArray(value) ? value[0] : value;
    return typeof v === 'string' ? v : undefined;
  };
  const runStep = RUN_STEP.exec(first(MESSAGE_TAG) ?? '');
  if (!runStep) return null;
  let encoded = '';
  for (let i = 0; ; i++) {
    const part = first(`${CUSTOMER_TAG}${i}`);
    if (part === undefined) break;
    encoded += part;
  }
  if (!encoded || !/^[A-Za-z0-9_-]+$/.test(encoded)) return null;
  const customerId = Buffer.from(encoded, 'base64url').toString('utf8');
  if (!customerId || Buffer.from(customerId, 'utf8').toString('base64url') !== encoded) return null;
  return { customerId, runId: runStep[1], step: Number(runStep[2]) };
}

/** The `email_id` of the engagement touchpoints: the message's run and step. */
export const emailIdOf = (key: Pick<MessageKey, 'runId' | 'step'>): string =>
  `${key.runId}-${String(key.step).padStart(2, '0')}`;
