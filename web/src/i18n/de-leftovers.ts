import type { enLeftovers } from './en-leftovers';

/** German strings added for the leftover new-user findings; de.ts spreads them in. */
export const deLeftovers: Record<keyof typeof enLeftovers, string> = {
  'customers.stalledAfter': 'Stockend seit mehr als (Tagen)',
  'customers.stalledHint':
    'Optional: nur Kunden, die so lange in der Phase sind, wie die Übersicht sie zählt.',
  'customers.orderNote':
    'Sortiert nach der Stunde der letzten Aktivität, die jüngste zuerst; Kunden, die in derselben Stunde aktiv waren, stehen in beliebiger Reihenfolge.',
  'lift.waiting': 'wartet auf Kunden',
  'campaigns.soFar.one': 'bis jetzt ({n} Kunde)',
  'campaigns.soFar.other': 'bis jetzt ({n} Kunden)',
  'campaigns.controlSoFar.one': 'Kontrollgruppe: {rate} bis jetzt ({n} Kunde)',
  'campaigns.controlSoFar.other': 'Kontrollgruppe: {rate} bis jetzt ({n} Kunden)',
  'campaign.rateSoFar': 'Conversion-Rate bis jetzt',
  'keys.localShort': 'lokal',
  'report.lagUnknown': 'Ob die letzten Änderungen alle gezählt sind, ist gerade nicht bekannt.',
};
