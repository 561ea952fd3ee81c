import { type Locale, localeOf } from '../shared/locale.js';
import { addressHash, type Category, decide, type SendDecision } from './consent.js';
import { InvalidUnsubscribeTokenError, UnknownSubscriberError } from './errors.js';
import type { ConsentStore } from './ports.js';
import { type SesEvent, suppressionsFrom } from './ses-events.js';
import type { UnsubscribeTokens } from './unsubscribe-token.js';

export interface ConsentDeps {
  store: ConsentStore;
  tokens: UnsubscribeTokens;
  clock?: () => Date;
}

/** Consent and suppression: what the flows ask before every send, and how people opt out. */
export class ManageConsent {
  private readonly clock: () => Date;

  constructor(private readonly deps: ConsentDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /** Whether a mail of this category may go to this customer at this address, right now. */
  async canSend(customerId: string, category: Category, email: string | undefined): Promise<SendDecision> {
    const hash = email?.includes('@') ? addressHash(email) : null;
    const snapshot = await this.deps.store.snapshot(customerId, hash);
    return decide(category, email, {
      traits: snapshot.traits,
      unsubscribedAt: snapshot.unsubscribedAt,
      suppressed: snapshot.suppression !== null,
    });
  }

  /** The link's customer and what its page should say (in their language). */
  async inspect(token: string): Promise<{ customerId: string; locale: Locale; unsubscribed: boolean }> {
    const customerId = await this.deps.tokens.verify(token);
    if (!customerId) throw new InvalidUnsubscribeTokenError();
    const snapshot = await this.deps.store.snapshot(customerId, null);
    if (!snapshot.profileExists) throw new UnknownSubscriberError();
    return {
      customerId,
      locale: localeOf(snapshot.traits.locale),
      unsubscribed: snapshot.unsubscribedAt !== undefined,
    };
  }

  /** Unsubscribes the link's customer from marketing mail, at once and idempotently. */
  async unsubscribe(token: string, method: 'one-click' | 'page'): Promise<{ customerId: string }> {
    const customerId = await this.deps.tokens.verify(token);
    if (!customerId) throw new InvalidUnsubscribeTokenError();
    const outcome = await this.deps.store.unsubscribe(customerId, this.clock().toISOString(), method);
    if (outcome === 'no-customer') throw new UnknownSubscriberError();
    return { customerId };
  }

  /** Suppresses the addresses of a permanent bounce or a complaint; returns how many were new. */
  async recordSesEvent(event: SesEvent): Promise<number> {
    let added = 0;
    for (const s of suppressionsFrom(event, this.clock())) if (await this.deps.store.suppress(s)) added++;
    return added;
  }
}
