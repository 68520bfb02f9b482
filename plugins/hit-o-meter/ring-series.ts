/** One bucket of traffic: bytes in (uploads) and out (downloads) from `start` for one bucket width. */
export interface Bucket {
  /** Start of the bucket, epoch milliseconds. */
  start: number;
  in: number;
  out: number;
}

/** A ring saved as its newest bucket number and its non-empty buckets, as [age, in, out]. */
export interface SavedRing {
  newest: number;
  buckets: [age: number, bytesIn: number, bytesOut: number][];
}

/**
 * Traffic in fixed-width time buckets, the last `slots` of them, in one fixed-size array: adding
 * to a new bucket zeroes the ones skipped since, so memory never grows.
 */
export class RingSeries {
  private readonly data: Float64Array;
  /** Number (time / width) of the newest bucket; -1 before the first. */
  private newest = -1;

  constructor(
    readonly slots: number,
    readonly bucketMs: number,
  ) {
    this.data = new Float64Array(slots * 2);
  }

  add(at: number, bytesIn: number, bytesOut: number): void {
    const bucket = Math.floor(at / this.bucketMs);
    this.advance(bucket);
    if (bucket <= this.newest - this.slots) return;
    const i = (bucket % this.slots) * 2;
    this.data[i]! += bytesIn;
    this.data[i + 1]! += bytesOut;
  }

  /** The last `count` buckets up to the one holding `now`, oldest first; empty ones included. */
  last(count: number, now: number): Bucket[] {
    const current = Math.floor(now / this.bucketMs);
    this.advance(current);
    const n = Math.min(count, this.slots);
    const out: Bucket[] = [];
    for (let bucket = current - n + 1; bucket <= current; bucket++) {
      const i = (bucket % this.slots) * 2;
      const known = bucket > this.newest - this.slots && bucket >= 0;
      out.push({ start: bucket * this.bucketMs, in: known ? this.data[i]! : 0, out: known ? this.data[i + 1]! : 0 });
    }
    return out;
  }

  save(): SavedRing {
    const buckets: SavedRing["buckets"] = [];
    if (this.newest < 0) return { newest: -1, buckets };
    for (let age = 0; age < this.slots; age++) {
      const bucket = this.newest - age;
      if (bucket < 0) break;
      const i = (bucket % this.slots) * 2;
      if (this.data[i] || this.data[i + 1]) buckets.push([age, this.data[i]!, this.data[i + 1]!]);
    }
    return { newest: this.newest, buckets };
  }

  restore(saved: SavedRing): void {
    this.data.fill(0);
    this.newest = saved.newest;
    for (const [age, bytesIn, bytesOut] of saved.buckets) {
      if (age < 0 || age >= this.slots) continue;
      const i = ((saved.newest - age) % this.slots) * 2;
      this.data[i] = bytesIn;
      this.data[i + 1] = bytesOut;
    }
  }

  private advance(bucket: number): void {
    if (bucket <= this.newest) return;
    if (this.newest >= 0) {
      const gap = Math.min(bucket - this.newest, this.slots);
      for (let k = 1; k <= gap; k++) {
        const i = ((this.newest + k) % this.slots) * 2;
        this.data[i] = 0;
        this.data[i + 1] = 0;
      }
    } else {
      this.data.fill(0);
    }
    this.newest = bucket;
  }
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Per-minute buckets for the last 24 hours and per-hour buckets for the last 30 days. */
export class TrafficHistory {
  readonly minutes = new RingSeries(24 * 60, MINUTE);
  readonly hours = new RingSeries(30 * 24, HOUR);

  add(at: number, bytesIn: number, bytesOut: number): void {
    this.minutes.add(at, bytesIn, bytesOut);
    this.hours.add(at, bytesIn, bytesOut);
  }

  save(): SavedHistory {
    return { minutes: this.minutes.save(), hours: this.hours.save() };
  }

  restore(saved: SavedHistory): void {
    this.minutes.restore(saved.minutes);
    this.hours.restore(saved.hours);
  }
}

export interface SavedHistory {
  minutes: SavedRing;
  hours: SavedRing;
}
