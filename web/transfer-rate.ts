import type { RunningTransfer } from "../core/session.ts";

const WINDOW_MS = 5000;
const MIN_SPAN_MS = 500;
const MAX_SAMPLES = 64;

interface Sample {
  at: number;
  bytes: number;
}

/**
 * Transfer speed over the last few seconds rather than since the start, so a stalled or
 * throttled client shows as slow now. Sampled whenever someone looks (API call, live page tick).
 */
export class TransferRates {
  private readonly samples = new WeakMap<RunningTransfer, Sample[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Bytes per second of `t`. */
  rateOf(t: RunningTransfer): number {
    const at = this.now();
    let list = this.samples.get(t);
    if (!list) this.samples.set(t, (list = []));
    list.push({ at, bytes: t.bytes });
    while (list.length > MAX_SAMPLES || (list.length > 2 && at - list[1]!.at >= WINDOW_MS)) list.shift();
    const first = list[0]!;
    if (at - first.at >= MIN_SPAN_MS) return ((t.bytes - first.bytes) * 1000) / (at - first.at);
    const elapsed = at - t.startedAt;
    return elapsed > 0 ? (t.bytes * 1000) / elapsed : 0;
  }
}
