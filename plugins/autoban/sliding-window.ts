/**
 * Counts events per key over a sliding window: "`threshold` events within `windowMs`". A key
 * keeps at most `threshold` timestamps, and at most `maxKeys` keys are kept: a new key pushes out
 * the one that has been quiet longest (a Map iterates in insertion order, and a key is re-inserted
 * on each event), so a scan from many addresses cannot grow memory.
 */
export class SlidingWindowCounter {
  private readonly events = new Map<string, number[]>();

  constructor(
    private readonly threshold: number,
    private readonly windowMs: number,
    private readonly maxKeys: number,
  ) {}

  /** Records an event for `key` at `now`; true when it completes `threshold` events within the window (the key then starts over). */
  hit(key: string, now: number): boolean {
    let times = this.events.get(key);
    if (times) {
      this.events.delete(key);
    } else {
      times = [];
      if (this.events.size >= this.maxKeys) this.events.delete(this.events.keys().next().value!);
    }
    times.push(now);
    if (times.length > this.threshold) times.shift();
    if (times.length >= this.threshold && now - times[0]! <= this.windowMs) return true;
    this.events.set(key, times);
    return false;
  }

  /** Forgets `key` (after a ban, its old events should not count again). */
  forget(key: string): void {
    this.events.delete(key);
  }

  /** Drops keys whose newest event has left the window; the oldest-quiet keys come first, so it stops at the first live one. */
  sweep(now: number): void {
    for (const [key, times] of this.events) {
      if (now - times[times.length - 1]! <= this.windowMs) break;
      this.events.delete(key);
    }
  }

  /** Keys watched now. */
  get size(): number {
    return this.events.size;
  }
}
