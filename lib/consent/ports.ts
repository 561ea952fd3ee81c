export interface Suppression {
  addressHash: string;
  reason: 'bounce' | 'complaint';
  /** Bounce type/subtype or complaint feedback type, as SES reported it. */
  detail: string;
  at: string;
  sesMessageId?: string;
  feedbackId?: string;
}

export interface ConsentSnapshot {
  profileExists: boolean;
  /** The profile's consent traits and its `locale`, nothing else. */
  traits: Record<string, unknown>;
  unsubscribedAt?: string;
  suppression: Suppression | null;
}

/** Storage port of the consent context; the DynamoDB adapter is beside it. */
export interface ConsentStore {
  /** Everything canSend needs, in one round trip. */
  snapshot(customerId: string, addressHash: string | null): Promise<ConsentSnapshot>;
  /** Records the unsubscribe (the first time wins); 'no-customer' when the profile is gone. */
  unsubscribe(customerId: string, at: string, method: string): Promise<'ok' | 'no-customer'>;
  /** Adds an address to the suppression list; false when it was already there. */
  suppress(suppression: Suppression): Promise<boolean>;
}
