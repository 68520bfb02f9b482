/** What hit-o-meter knows about one address or user. Times are epoch milliseconds. */
export interface Activity {
  /** For an address: FTP connections it opened; for a user: FTP sessions that logged in as it. */
  connections: number;
  logins: { ok: number; failed: number };
  downloads: { files: number; bytes: number };
  uploads: { files: number; bytes: number };
  firstSeen: number;
  lastSeen: number;
}

/** An address's or user's activity as the JSON API gives it (times as ISO 8601). */
export interface ActivityView {
  key: string;
  connections: number;
  logins: { ok: number; failed: number };
  downloads: { files: number; bytes: number };
  uploads: { files: number; bytes: number };
  firstSeen: string;
  lastSeen: string;
}

export const SORT_KEYS = ["bytes", "connections", "logins", "failed", "downloads", "uploads", "lastSeen", "firstSeen", "key"] as const;
/** How a top list is ordered: most first, except "key" (alphabetical). */
export type SortKey = (typeof SORT_KEYS)[number];

export const totalBytes = (a: Activity) => a.downloads.bytes + a.uploads.bytes;

const SORTERS: Record<SortKey, (a: [string, Activity], b: [string, Activity]) => number> = {
  bytes: ([, a], [, b]) => totalBytes(b) - totalBytes(a),
  connections: ([, a], [, b]) => b.connections - a.connections,
  logins: ([, a], [, b]) => b.logins.ok - a.logins.ok,
  failed: ([, a], [, b]) => b.logins.failed - a.logins.failed,
  downloads: ([, a], [, b]) => b.downloads.bytes - a.downloads.bytes,
  uploads: ([, a], [, b]) => b.uploads.bytes - a.uploads.bytes,
  lastSeen: ([, a], [, b]) => b.lastSeen - a.lastSeen,
  firstSeen: ([, a], [, b]) => b.firstSeen - a.firstSeen,
  key: ([a], [b]) => (a < b ? -1 : a > b ? 1 : 0),
};

export const toView = (key: string, a: Activity): ActivityView => ({
  key,
  connections: a.connections,
  logins: { ...a.logins },
  downloads: { ...a.downloads },
  uploads: { ...a.uploads },
  firstSeen: new Date(a.firstSeen).toISOString(),
  lastSeen: new Date(a.lastSeen).toISOString(),
});

/**
 * Activity by key (addresses, or users), at most `maxKeys` of them: a key is moved to the end of
 * the Map each time it is seen, so the first key is the one seen longest ago, and goes first.
 */
export class ActivityTable {
  private readonly entries = new Map<string, Activity>();

  constructor(private readonly maxKeys: number) {}

  /** The entry for `key`, created if new, marked as seen at `now`. */
  touch(key: string, now: number): Activity {
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
    } else {
      if (this.entries.size >= this.maxKeys) this.entries.delete(this.entries.keys().next().value!);
      entry = { connections: 0, logins: { ok: 0, failed: 0 }, downloads: { files: 0, bytes: 0 }, uploads: { files: 0, bytes: 0 }, firstSeen: now, lastSeen: now };
    }
    entry.lastSeen = now;
    this.entries.set(key, entry);
    return entry;
  }

  get(key: string): Activity | undefined {
    return this.entries.get(key);
  }

  /** The first `limit` entries in `sort` order. */
  top(sort: SortKey, limit: number): [string, Activity][] {
    return [...this.entries].sort(SORTERS[sort]).slice(0, limit);
  }

  entriesSeen(): IterableIterator<[string, Activity]> {
    return this.entries.entries();
  }

  /** Puts back saved entries, oldest-seen first so the Map order is right again. */
  restore(saved: readonly [string, Activity][]): void {
    for (const [key, a] of [...saved].sort(([, x], [, y]) => x.lastSeen - y.lastSeen)) {
      if (this.entries.size >= this.maxKeys) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, a);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
