import { PermanentSendError, TransientSendError } from './errors.js';
import type { EmailSender, OutgoingEmail } from './ports.js';

export type FaultKind = 'throttling' | 'unavailable' | 'permanent';

/**
 * A decorator for the local stack and tests: `failNext(n, kind)` makes the next n sends fail
 * before they reach SES, the way SES would (throttling and 5xx are transient).
 */
export class FaultInjectingEmailSender implements EmailSender {
  private pending: FaultKind[] = [];
  /** Sends that reached the real sender. */
  delivered = 0;
  /** Sends that failed here. */
  injected = 0;

  constructor(private readonly inner: EmailSender) {}

  failNext(n: number, kind: FaultKind = 'throttling'): void {
    for (let i = 0; i < n; i++) this.pending.push(kind);
  }

  reset(): void {
    this.pending = [];
  }

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const fault = this.pending.shift();
    if (fault) {
      this.injected++;
      if (fault === 'permanent') throw new PermanentSendError('SES MessageRejected: injected fault');
      throw new TransientSendError(
        fault === 'throttling'
          ? 'SES TooManyRequestsException: injected fault'
          : 'SES ServiceUnavailable: injected fault',
      );
    }
    const sent = await this.inner.send(email);
    this.delivered++;
    return sent;
  }
}
