import { domainToASCII } from 'node:url';

// RFC 5322 atext: what a dot-atom local part may hold without quotes.
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
// A quoted local part: printable ASCII and spaces, `"` and `\` only escaped; never CR or LF.
const QUOTED = /^"(?:[\x20\x21\x23-\x5B\x5D-\x7E]|\\[\x20-\x7E])*"$/;
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/**
 * The recipient as SES gets it, or null when it is not exactly one RFC 5322 addr-spec that a
 * mail system can route: a dot-atom or quoted local part (ASCII, at most 64 octets), `@`, and
 * a DNS name of at least two labels (an internationalised one as punycode, which SES needs).
 * Display names (`Ada <a@x.de>`), lists (`a@x, b@y`), comments, domain literals and anything
 * with a CR or LF are refused: an address must never carry a second recipient or a header.
 * Surrounding spaces and tabs are dropped.
 */
export function recipientAddress(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const address = value.replace(/^[ \t]+|[ \t]+$/g, '');
  if (address.length > 254) return null;
  const at = address.lastIndexOf('@');
  if (at <= 0) return null;
  const local = address.slice(0, at);
  if (local.length > 64 || !(DOT_ATOM.test(local) || QUOTED.test(local))) return null;
  const domain = address.slice(at + 1);
  // domainToASCII does not refuse everything DNS would: the label check below does.
  if (!/^[^\s@,;:<>()[\]"\\]+$/.test(domain)) return null;
  const ascii = domainToASCII(domain);
  const labels = ascii.split('.');
  if (!ascii || ascii.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  if (/^\d+$/.test(labels[labels.length - 1])) return null; // an IP address, not a domain
  return `${local}@${ascii}`;
}
