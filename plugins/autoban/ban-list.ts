/** A ban, or the memory of one: kept after it ends, for `strikeMemory`, so a repeat offender gets a longer one. */
export interface BanRecord {
  /** The ban key: an IPv4 address or an IPv6 network ("2001:db8:1:2::/64"). */
  address: string;
  reason: string;
  /** Epoch milliseconds the ban ends at. */
  until: number;
  /** How many bans this address has earned (in strike memory). */
  strikes: number;
}

/** How long bans last. All in milliseconds. */
export interface BanPolicy {
  banMs: number;
  multiplier: number;
  maxBanMs: number;
  /** A ban that ended longer ago than this is forgotten, and the next one starts over. */
  strikeMemoryMs: number;
  /** Records kept at most; beyond it the oldest is dropped. */
  maxRecords: number;
}

/**
 * The bans, by key. Whether an address is banned is one Map lookup; an ended ban is noticed
 * there (lazily) and dropped only when its strike memory runs out, by sweep().
 */
export class BanList {
  private readonly records = new Map<string, BanRecord>();

  constructor(
    private readonly policy: BanPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** The ban in force on `key`, if any. */
  active(key: string): BanRecord | undefined {
    const record = this.records.get(key);
    return record && record.until > this.now() ? record : undefined;
  }

  /** Bans `key` for its next term: `banMs`, times `multiplier` for each remembered strike, at most `maxBanMs`. */
  strike(key: string, reason: string): BanRecord {
    const now = this.now();
    const prior = this.remembered(key, now);
    const strikes = (prior?.strikes ?? 0) + 1;
    const term = Math.min(this.policy.banMs * this.policy.multiplier ** (strikes - 1), this.policy.maxBanMs);
    return this.put({ address: key, reason, until: Math.max(now + term, prior?.until ?? 0), strikes });
  }

  /** Bans `key` for exactly `ms` (an admin's ban); it counts as a strike. */
  set(key: string, ms: number, reason: string): BanRecord {
    const now = this.now();
    const prior = this.remembered(key, now);
    return this.put({ address: key, reason, until: now + ms, strikes: (prior?.strikes ?? 0) + 1 });
  }

  /** Lifts the ban on `key` and forgets its strikes; false if it was not banned. */
  lift(key: string): boolean {
    const banned = this.active(key) !== undefined;
    this.records.delete(key);
    return banned;
  }

  /** The bans in force, the longest-lasting first. */
  list(): BanRecord[] {
    const now = this.now();
    return [...this.records.values()].filter((r) => r.until > now).sort((a, b) => b.until - a.until);
  }

  /** Every record, ended bans included (what is saved). */
  all(): BanRecord[] {
    return [...this.records.values()];
  }

  /** Puts back saved records, skipping the ones whose strike memory has run out. */
  restore(records: readonly BanRecord[]): void {
    const now = this.now();
    for (const r of [...records].sort((a, b) => a.until - b.until)) {
      if (now - r.until <= this.policy.strikeMemoryMs) this.put({ address: r.address, reason: r.reason, until: r.until, strikes: r.strikes });
    }
  }

  /** Drops records whose strike memory has run out; true if any was dropped. */
  sweep(): boolean {
    const now = this.now();
    let dropped = false;
    for (const [key, r] of this.records) {
      if (now - r.until > this.policy.strikeMemoryMs) {
        this.records.delete(key);
        dropped = true;
      }
    }
    return dropped;
  }

  get size(): number {
    return this.records.size;
  }

  private remembered(key: string, now: number): BanRecord | undefined {
    const record = this.records.get(key);
    return record && now - record.until <= this.policy.strikeMemoryMs ? record : undefined;
  }

  private put(record: BanRecord): BanRecord {
    this.records.delete(record.address);
    if (this.records.size >= this.policy.maxRecords) this.records.delete(this.records.keys().next().value!);
    this.records.set(record.address, record);
    return record;
  }
}
