/** Attribute names whose values are personal data wherever they appear in a log entry. */
const PERSONAL_KEYS = new Set(
  [
    'email',
    'emailAddress',
    'to',
    'from',
    'replyTo',
    'address',
    'firstName',
    'lastName',
    'first_name',
    'last_name',
    'fullName',
    'full_name',
    'phone',
    'traits',
    'authorization',
  ].map((k) => k.toLowerCase()),
);

const EMAIL =
  /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+/g;

/**
 * The last line of defence against PII in logs, applied to every value the logger prints:
 * attributes named like personal data (email, firstName, traits, to, ...) are replaced, and
 * anything shaped like an email address in any string (an error message from SES, say) is
 * masked. The first line is not to log such data at all (docs/security.md).
 */
export function redactPersonalData(key: string, value: unknown): unknown {
  if (key && PERSONAL_KEYS.has(key.toLowerCase()) && value !== undefined && value !== null)
    return '[redacted]';
  if (typeof value === 'string' && value.includes('@')) return value.replace(EMAIL, '[email]');
  return value;
}
