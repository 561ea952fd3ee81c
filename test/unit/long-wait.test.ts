import { afterEach, describe, expect, it, vi } from 'vitest';
import '../../local/polyfills.js';

describe('local Step Functions: a Wait state longer than a Node timer can hold', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits the whole 30 days instead of ending after 1 ms', async () => {
    // Prepare: fake timers so 30 days pass in an instant, as far as the library can tell.
    vi.useFakeTimers();
    const { StateMachine } = await import('aws-local-stepfunctions');
    const machine = new StateMachine({
      StartAt: 'Wait',
      States: { Wait: { Type: 'Wait', Seconds: 30 * 24 * 3600, Next: 'Done' }, Done: { Type: 'Succeed' } },
    });
    let finished = false;
    const execution = machine.run({});
    void execution.result.then(() => {
      finished = true;
    });

    // Act and assess: a millisecond past the 24.8-day timer limit, still waiting; after 30 days, done.
    await vi.advanceTimersByTimeAsync(2 ** 31);
    expect(finished).toBe(false);
    await vi.advanceTimersByTimeAsync(29 * 24 * 3600_000 - 2 ** 31 + 1000);
    expect(finished).toBe(false);
    await vi.advanceTimersByTimeAsync(24 * 3600_000);
    expect(finished).toBe(true);
  });
});
