import { PermanentSendError, TransientSendError } from './errors.js';
import type { EmailSender, OutgoingEmail } from './ports.js';

export type FaultKind = 'throttling' | 'unavailable' | 'permanent';

const KINDS: readonly FaultKind[] = ['throttling', 'unavailable', 'permanent'];
// Int32 slots of the shared state.
const PENDING = 0;
const KIND = 1;
const INJECTED = 2;
const DELIVERED = 3;

/** Memory for the fault counters: a SharedArrayBuffer lets every thread of a stack share them. */
export const newFaultState = (): SharedArrayBuffer => new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT);

let threadState: SharedArrayBuffer | undefined;

/**
 * Makes every FaultInjectingEmailSender built afterwards in this thread use `state`: the local
 * stack shares one between the API thread and the flows worker, so `failNext` on either side
 * fails the next sends wherever they happen.
 */
export function shareFaultState(state: SharedArrayBuffer): void {
  threadState = state;
}

/**
 * A decorator for the local stack and tests: `failNext(n, kind)` makes the next n sends fail
 * before they reach SES, the way SES would (throttling and 5xx are transient).
 */
export class FaultInjectingEmailSender implements EmailSender {
  private readonly slots: Int32Array;

  constructor(
    private readonly inner: EmailSender,
    state: SharedArrayBuffer = threadState ?? newFaultState(),
  ) {
    this.slots = new Int32Array(state);
  }

  /** Sends that reached the real sender. */
  get delivered(): number {
    return Atomics.load(this.slots, DELIVERED);
  }

  /** Sends that failed here. */
  get injected(): number {
    return Atomics.load(this.slots, INJECTED);
  }

  /** The next `n` sends fail with `kind` (a later call's kind applies to all still pending). */
  failNext(n: number, kind: FaultKind = 'throttling'): void {
    Atomics.store(this.slots, KIND, KINDS.indexOf(kind));
    Atomics.add(this.slots, PENDING, n);
  }

  reset(): void {
    Atomics.store(this.slots, PENDING, 0);
  }

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const fault = this.take();
    if (fault) {
      Atomics.add(this.slots, INJECTED, 1);
      if (fault === 'permanent') throw new PermanentSendError('SES MessageRejected: injected fault');
      throw new TransientSendError(
        fault === 'throttling'
          ? 'SES TooManyRequestsException: injected fault'
          : 'SES ServiceUnavailable: injected fault',
      );
    }
    const sent = await this.inner.send(email);
    Atomics.add(this.slots, DELIVERED, 1);
    return sent;
  }

  /** Takes one pending fault, atomically: two threads never take the same one. */
  private take(): FaultKind | null {
    for (;;) {
      const pending = Atomics.load(this.slots, PENDING);
      if (pending <= 0) return null;
      if (Atomics.compareExchange(this.slots, PENDING, pending, pending - 1) === pending)
        return KINDS[Atomics.load(this.slots, KIND)];
    }
  }
}
