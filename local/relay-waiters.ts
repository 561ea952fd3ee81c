/**
 * Callers of the stream relay waiting for a pass that began after they asked (`settled()`,
 * `backlog()`): each remembers the pass counter at its call and is due once a later pass ran.
 */
export class RelayWaiters<T> {
  private readonly waiting: {
    afterCycle: number;
    resolve: (value: T) => void;
    reject: (error: Error) => void;
  }[] = [];

  get size(): number {
    return this.waiting.length;
  }

  /** Waits for a pass after `cycle`, the one running now. */
  add(cycle: number): Promise<T> {
    return new Promise((resolve, reject) => this.waiting.push({ afterCycle: cycle, resolve, reject }));
  }

  /** Someone asked before pass `cycle` began. */
  anyBefore(cycle: number): boolean {
    return this.waiting.some((w) => w.afterCycle < cycle);
  }

  /** Answers those who asked before pass `cycle` began: with `value()`, or rejects with `error`. */
  answer(cycle: number, value: () => T, error?: Error): void {
    const due = this.waiting.filter((w) => w.afterCycle < cycle);
    if (due.length === 0) return;
    this.waiting.splice(0, this.waiting.length, ...this.waiting.filter((w) => w.afterCycle >= cycle));
    const result = error ? undefined : value();
    for (const w of due) {
      if (error) w.reject(error);
      else w.resolve(result as T);
    }
  }

  /** Ends every wait: resolved with `value` or rejected with `error`. */
  endAll(outcome: { value: T } | { error: Error }): void {
    for (const w of this.waiting.splice(0)) {
      if ('error' in outcome) w.reject(outcome.error);
      else w.resolve(outcome.value);
    }
  }
}
