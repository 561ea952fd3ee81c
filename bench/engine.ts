import {
  applyTouchpoint,
  type CompiledModel,
  type EngineTouchpoint,
  type JourneyState,
  replay,
} from '../lib/journey/index.js';
import { engineTouchpoint } from './workload.js';

export interface EngineSize {
  history: number;
  evaluationsPerSecond: number;
  nsPerEvaluation: number;
  /** What the folded state carries; the engine promises it does not grow with the history. */
  stateBytes: number;
  activeOrders: number;
  /** ns of each kind of next step (one journey cycle), to show which step grows with the history. */
  nsPerStep: { event: string; ns: number }[];
}

interface Prepared {
  history: number;
  state: JourneyState;
  next: EngineTouchpoint[];
}

function prepare(cm: CompiledModel, history: number): Prepared {
  const customer = `engine-${history}`;
  const past = Array.from({ length: history }, (_, i) => engineTouchpoint(customer, i));
  const { state } = replay(cm, past);
  // The next full journey cycle after the history: every kind of step, a purchase included.
  const next = Array.from({ length: 10 }, (_, i) => engineTouchpoint(customer, history + i));
  return { history, state, next };
}

let sink = 0;

/**
 * Evaluations per CPU-second of one new in-order touchpoint on the state folded from
 * `p.history`. CPU time, not wall time: on a shared machine the process is descheduled at random.
 */
function measure(cm: CompiledModel, p: Prepared, budgetMs: number): number {
  let n = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  do {
    for (let i = 0; i < 1000; i++) {
      const out = applyTouchpoint(cm, p.state, p.next[i % p.next.length]);
      sink += out.state.counts.touchpoints;
    }
    n += 1000;
  } while (performance.now() - started < budgetMs);
  const used = process.cpuUsage(cpu);
  return (n / (used.user + used.system)) * 1e6;
}

/** Alternates the sizes over several rounds (so JIT and GC hit both alike) and keeps each median. */
export function benchEngine(
  cm: CompiledModel,
  histories: number[],
  rounds = 7,
  budgetMs = 150,
): EngineSize[] {
  const prepared = histories.map((h) => prepare(cm, h));
  for (const p of prepared) measure(cm, p, 100); // warm-up
  const samples = prepared.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    prepared.forEach((p, i) => {
      samples[i].push(measure(cm, p, budgetMs));
    });
  }
  if (sink === -1) console.log(sink);
  return prepared.map((p, i) => {
    const perSecond = median(samples[i]);
    return {
      history: p.history,
      evaluationsPerSecond: perSecond,
      nsPerEvaluation: 1e9 / perSecond,
      stateBytes: Buffer.byteLength(JSON.stringify(p.state)),
      activeOrders: p.state.activeOrders.length,
      nsPerStep: p.next.map((tp) => ({
        event: tp.event,
        ns: 1e9 / median([0, 1, 2].map(() => measure(cm, { ...p, next: [tp] }, budgetMs / 6))),
      })),
    };
  });
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
