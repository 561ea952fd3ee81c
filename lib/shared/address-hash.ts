import { createHash } from 'node:crypto';

/*
 * Here rather than in lib/consent, which re-exports both: ingest keys its customer lists by the
 * address hash, and importing it through lib/consent/index.ts bundled the consent context's
 * SES event schemas into ingest, built at every cold start for nothing (docs/architecture.md).
 */

/** An address as the suppression list knows it: the bare address, trimmed and lowercase. */
export function normaliseAddress(address: string): string {
  const angle = /<([^>]+)>/.exec(address);
  return (angle ? angle[1] : address).trim().toLowerCase();
}

/** The suppression key of an address: no plain address is ever part of a key. */
export const addressHash = (address: string): string =>
  createHash('sha256').update(normaliseAddress(address), 'utf8').digest('hex');
