import { setTimeout as delay } from "node:timers/promises";

export interface ThrottleLimits {
  /** Each failure from an address answers this much later than the one before (1×, 2×, … 5×). */
  failureDelayMs: number;
  /** After this many failures inside the window, the address is refused without a check. */
  maxFailures: number;
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = { failureDelayMs: 1000, maxFailures: 10, windowMs: 15 * 60_000 };

const MAX_TRACKED = 1000;

/**
 * Slows admin password guessing per client address: a growing delay on each failure, and a
 * lock-out after many. Parallel guesses each pay their delay, and the lock-out caps them.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly limits: ThrottleLimits = DEFAULT_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `address` may try again, or 0 when it may try now. */
  lockedFor(address: string): number {
    const entry = this.current(address);
    if (!entry || entry.count < this.limits.maxFailures) return 0;
    return Math.ceil((entry.since + this.limits.windowMs - this.now()) / 1000);
  }

  /** Counts a failure and waits before the caller answers it. */
  async failed(address: string): Promise<void> {
    const entry = this.current(address) ?? { count: 0, since: this.now() };
    entry.count++;
    this.failures.set(address, entry);
    if (this.failures.size > MAX_TRACKED) this.prune();
    await delay(this.limits.failureDelayMs * Math.min(entry.count, 5));
  }

  succeeded(address: string): void {
    this.failures.delete(address);
  }

  private current(address: string) {
    const entry = this.failures.get(address);
    if (entry && this.now() - entry.since > this.limits.windowMs) {
      this.failures.delete(address);
      return undefined;
    }
    return entry;
  }

  private prune(): void {
    for (const address of [...this.failures.keys()]) this.current(address);
    while (this.failures.size > MAX_TRACKED) this.failures.delete(this.failures.keys().next().value!);
  }
}
