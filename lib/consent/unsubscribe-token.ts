import { createHmac, timingSafeEqual } from 'node:crypto';

const VERSION = 'u1';
const MAC_BYTES = 16;

const mac = (secret: string, customerId: string) =>
  createHmac('sha256', secret)
    .update(`stageflow-unsubscribe:${VERSION}:${customerId}`, 'utf8')
    .digest()
    .subarray(0, MAC_BYTES);

/**
 * Unsubscribe tokens: `u1.<customerId, base64url>.<HMAC-SHA256, 128 bits, base64url>`. The
 * MAC binds the customer id, so nobody can make a link that unsubscribes someone else.
 */
export class UnsubscribeTokens {
  constructor(private readonly secret: () => Promise<string>) {}

  async sign(customerId: string): Promise<string> {
    const id = Buffer.from(customerId, 'utf8').toString('base64url');
    return `${VERSION}.${id}.${mac(await this.secret(), customerId).toString('base64url')}`;
  }

  /** The customer id a token was made for, or null for anything we did not sign. */
  async verify(token: string): Promise<string | null> {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== VERSION || token.length > 1024) return null;
    const customerId = Buffer.from(parts[1], 'base64url').toString('utf8');
    if (!customerId || Buffer.from(customerId, 'utf8').toString('base64url') !== parts[1]) return null;
    const given = Buffer.from(parts[2], 'base64url');
    const expected = mac(await this.secret(), customerId);
    return given.length === expected.length && timingSafeEqual(given, expected) ? customerId : null;
  }
}
