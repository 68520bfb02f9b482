import { Transform, type TransformCallback } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import type { Limits } from "../config/types.ts";
import type { TransferDirection } from "../hooks/types.ts";

/** How far ahead of its rate a bucket may run: absorbs timer lateness, and lets an idle transfer start at once. */
const BURST_MS = 100;
/** A throttled transfer moves pieces of about this much time at its rate, so the pace stays smooth. */
const SLICE_MS = 50;
const MIN_SLICE = 1024;
const MAX_SLICE = 256 * 1024;

/**
 * A token bucket kept as the time its reserved bytes are due (GCRA): reserving never waits by
 * itself, it answers how long the caller must wait. Callers sharing a bucket queue behind each
 * other's reservations, so their combined rate is the bucket's rate. The rate is passed in on
 * each call, so a reloaded limit applies to the next piece.
 */
export class TokenBucket {
  #due = 0;

  /** Reserves `bytes` at `rate` bytes/s; the milliseconds to wait before moving them (0: now). */
  reserve(bytes: number, rate: number, now = performance.now()): number {
    if (rate <= 0) return 0;
    this.#due = Math.max(this.#due, now) + (bytes * 1000) / rate;
    return Math.max(0, this.#due - now - BURST_MS);
  }
}

interface Pace {
  bucket: TokenBucket;
  rate: () => number;
}

/** The buckets one transfer draws from: its user's and the server's, for its direction. */
export class Throttle {
  constructor(private readonly paces: Pace[]) {}

  /** The piece to move at once: about SLICE_MS at the slowest rate in force. */
  slice(): number {
    let slowest = Infinity;
    for (const p of this.paces) {
      const rate = p.rate();
      if (rate > 0 && rate < slowest) slowest = rate;
    }
    if (slowest === Infinity) return MAX_SLICE;
    return Math.min(MAX_SLICE, Math.max(MIN_SLICE, Math.floor((slowest * SLICE_MS) / 1000)));
  }

  /** Resolves when `bytes` may move: at once, or after one timer as long as the slowest bucket needs. */
  take(bytes: number, signal: AbortSignal): Promise<void> | void {
    const now = performance.now();
    let wait = 0;
    for (const p of this.paces) wait = Math.max(wait, p.bucket.reserve(bytes, p.rate(), now));
    if (wait >= 1) return delay(wait, undefined, { signal });
  }
}

interface BucketPair {
  upload: TokenBucket;
  download: TokenBucket;
}

const pair = (): BucketPair => ({ upload: new TokenBucket(), download: new TokenBucket() });

/**
 * The rate limits in force: one bucket pair for the whole server and one per user, shared by
 * all of that user's sessions (the anonymous login is one user: its visitors share it).
 */
export class TransferRates {
  readonly #server = pair();
  readonly #users = new Map<string, BucketPair>();

  constructor(private readonly limits: () => Limits) {}

  /**
   * The throttle for a transfer of `user`, whose own rate `userRate` reads live; null when
   * neither the user nor the server has a limit now, so an unlimited transfer adds nothing to
   * its pipeline.
   */
  throttleFor(user: string, direction: TransferDirection, userRate: () => number): Throttle | null {
    const serverRate = direction === "upload" ? () => this.limits().maxUploadRate : () => this.limits().maxDownloadRate;
    if (userRate() <= 0 && serverRate() <= 0) return null;
    let buckets = this.#users.get(user);
    if (!buckets) this.#users.set(user, (buckets = pair()));
    return new Throttle([
      { bucket: buckets[direction], rate: userRate },
      { bucket: this.#server[direction], rate: serverRate },
    ]);
  }
}

/** Paces a stream through a Throttle: a piece at a time, each passed on once its time has come. */
export class ThrottledStream extends Transform {
  readonly #stop = new AbortController();

  constructor(private readonly throttle: Throttle) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#pace(chunk).then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#stop.abort();
    callback(error);
  }

  async #pace(chunk: Buffer): Promise<void> {
    for (let at = 0; at < chunk.length; ) {
      const piece = chunk.subarray(at, at + this.throttle.slice());
      await this.throttle.take(piece.length, this.#stop.signal);
      this.push(piece);
      at += piece.length;
    }
  }
}
