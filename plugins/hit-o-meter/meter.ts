import type { LiveTransfer, LoginResultEvent, SessionInfo, TransferDirection, TransferEndEvent } from "../../core/index.ts";
import { ActivityTable, totalBytes, type Activity } from "./activity.ts";
import type { HitOMeterOptions } from "./options.ts";
import { TrafficHistory, type Bucket, type SavedHistory } from "./ring-series.ts";

/** Who activity is counted for: the client's address, or the account it logged in as. */
export type KeyKind = "ip" | "user";

/** Bytes per second, in (uploads) and out (downloads). */
export interface Rate {
  in: number;
  out: number;
}

/** The live rates of the last sample: the whole server, and each address and user moving bytes. */
export interface LiveRates {
  at: number;
  server: Rate;
  ip: Record<string, Rate>;
  user: Record<string, Rate>;
}

export const HISTORY_RANGES = ["hour", "day", "month"] as const;
export type HistoryRange = (typeof HISTORY_RANGES)[number];

/** A stretch of history: buckets of `bucketSeconds`, oldest first. */
export interface HistoryView {
  range: HistoryRange;
  bucketSeconds: number;
  buckets: Bucket[];
}

/** What hit-o-meter keeps in `<dataDir>/plugins/hit-o-meter/meter.json`. */
export interface SavedMeter {
  version: 1;
  savedAt: number;
  total: Activity;
  ip: [string, Activity][];
  user: [string, Activity][];
  history: { server: SavedHistory; ip: [string, SavedHistory][]; user: [string, SavedHistory][] };
}

/** The session id of the status page's admin logins (they are no FTP session). */
const WEB_SESSION = "web";
/** A transfer not seen in a sample for this long has ended without telling us. */
const FORGET_TRANSFER_MS = 60_000;

const emptyActivity = (now: number): Activity => ({
  connections: 0,
  logins: { ok: 0, failed: 0 },
  downloads: { files: 0, bytes: 0 },
  uploads: { files: 0, bytes: 0 },
  firstSeen: now,
  lastSeen: now,
});

const transferId = (session: SessionInfo, direction: TransferDirection, path: string) => `${session.id}\n${direction}\n${path}`;

/**
 * The counting: connections, logins, files and bytes per address and per user; traffic history
 * for the server and for the busiest keys; live rates from sampling the running transfers.
 *
 * Bytes reach the history as they move (each sample adds what a transfer moved since the last
 * one; its end adds the rest), so a long download draws a plateau, not one spike at its end.
 * The per-key totals count at the end of each transfer, exactly as the transfer reports.
 */
export class HitOMeter {
  readonly tables: Record<KeyKind, ActivityTable>;
  readonly total: Activity;
  readonly server = new TrafficHistory();
  readonly histories: Record<KeyKind, Map<string, TrafficHistory>> = { ip: new Map(), user: new Map() };
  rates: LiveRates = { at: 0, server: { in: 0, out: 0 }, ip: {}, user: {} };
  /** Bytes of each running transfer at the last sample. */
  private readonly sampled = new Map<string, { bytes: number; startedAt: number; seenAt: number }>();

  constructor(
    readonly options: HitOMeterOptions,
    now = Date.now(),
  ) {
    this.tables = { ip: new ActivityTable(options.maxKeys), user: new ActivityTable(options.maxKeys) };
    this.total = emptyActivity(now);
  }

  counts(direction: TransferDirection): boolean {
    return direction === "upload" ? this.options.countUploads : this.options.countDownloads;
  }

  connected(session: SessionInfo, now: number): void {
    this.total.connections++;
    this.total.lastSeen = now;
    this.tables.ip.touch(session.remoteAddress, now).connections++;
  }

  /** An FTP login's result; status-page admin logins (session id "web") are autoban's business, not counted here. */
  loginResult(e: LoginResultEvent, now: number): void {
    if (e.session.id === WEB_SESSION) return;
    const field = e.ok ? "ok" : "failed";
    this.total.logins[field]++;
    this.tables.ip.touch(e.session.remoteAddress, now).logins[field]++;
    // Names that are no account would fill the user table with a scanner's word list.
    if (e.reason === "unknown-user") return;
    const user = this.tables.user.touch(e.user, now);
    user.logins[field]++;
    if (e.ok) user.connections++;
  }

  transferEnded(e: TransferEndEvent, now: number): void {
    if (!this.counts(e.direction)) return;
    const id = transferId(e.session, e.direction, e.path);
    const before = this.sampled.get(id)?.bytes ?? 0;
    this.sampled.delete(id);
    const rest = e.bytes - before;
    if (rest > 0) this.traffic(e.session, e.direction, rest, now);
    const field = e.direction === "upload" ? "uploads" : "downloads";
    const entries = [this.total, this.tables.ip.touch(e.session.remoteAddress, now)];
    if (e.session.user !== null) entries.push(this.tables.user.touch(e.session.user, now));
    for (const entry of entries) {
      entry[field].bytes += e.bytes;
      if (e.outcome === "ok") entry[field].files++;
      entry.lastSeen = now;
    }
  }

  /** Looks at the running transfers: what each moved since the last sample goes into the history and the live rates. */
  sample(transfers: readonly LiveTransfer[], now: number): void {
    const seconds = this.rates.at > 0 ? Math.max(0.001, (now - this.rates.at) / 1000) : this.options.sampleInterval;
    const rates: LiveRates = { at: now, server: { in: 0, out: 0 }, ip: {}, user: {} };
    const add = (table: Record<string, Rate>, key: string, side: keyof Rate, perSecond: number) => {
      const rate = (table[key] ??= { in: 0, out: 0 });
      rate[side] += perSecond;
    };
    for (const t of transfers) {
      if (!this.counts(t.direction)) continue;
      const id = transferId(t.session, t.direction, t.path);
      const startedAt = t.startedAt.getTime();
      const before = this.sampled.get(id);
      const delta = before && before.startedAt === startedAt ? t.bytes - before.bytes : t.bytes;
      this.sampled.set(id, { bytes: t.bytes, startedAt, seenAt: now });
      const side = t.direction === "upload" ? "in" : "out";
      const perSecond = Math.max(0, delta) / seconds;
      rates.server[side] += perSecond;
      add(rates.ip, t.session.remoteAddress, side, perSecond);
      if (t.session.user !== null) add(rates.user, t.session.user, side, perSecond);
      if (delta > 0) this.traffic(t.session, t.direction, delta, now);
    }
    for (const [id, s] of this.sampled) if (now - s.seenAt > FORGET_TRANSFER_MS) this.sampled.delete(id);
    this.rates = rates;
  }

  /** History of the server, or of one key (undefined when that key has no history). */
  history(range: HistoryRange, now: number, of?: { kind: KeyKind; key: string }): HistoryView | undefined {
    const history = of ? this.histories[of.kind].get(of.key) : this.server;
    if (!history) return undefined;
    if (range === "hour") return { range, bucketSeconds: 60, buckets: history.minutes.last(60, now) };
    if (range === "month") return { range, bucketSeconds: 3600, buckets: history.hours.last(30 * 24, now) };
    // A day of minutes is 1440 points: ten-minute buckets read better and weigh less.
    const minutes = history.minutes.last(24 * 60, now);
    const buckets: Bucket[] = [];
    for (let i = 0; i < minutes.length; i += 10) {
      const group = minutes.slice(i, i + 10);
      buckets.push({ start: group[0]!.start, in: group.reduce((s, b) => s + b.in, 0), out: group.reduce((s, b) => s + b.out, 0) });
    }
    return { range, bucketSeconds: 600, buckets };
  }

  save(now: number): SavedMeter {
    const histories = (kind: KeyKind) => [...this.histories[kind]].map(([key, h]): [string, SavedHistory] => [key, h.save()]);
    return {
      version: 1,
      savedAt: now,
      total: this.total,
      ip: [...this.tables.ip.entriesSeen()],
      user: [...this.tables.user.entriesSeen()],
      history: { server: this.server.save(), ip: histories("ip"), user: histories("user") },
    };
  }

  restore(saved: SavedMeter): void {
    Object.assign(this.total, saved.total);
    this.server.restore(saved.history.server);
    for (const kind of ["ip", "user"] as const) {
      this.tables[kind].restore(saved[kind]);
      for (const [key, h] of saved.history[kind].slice(0, this.options.historyKeys)) {
        const history = new TrafficHistory();
        history.restore(h);
        this.histories[kind].set(key, history);
      }
    }
  }

  private traffic(session: SessionInfo, direction: TransferDirection, bytes: number, now: number): void {
    const [bytesIn, bytesOut] = direction === "upload" ? [bytes, 0] : [0, bytes];
    this.server.add(now, bytesIn, bytesOut);
    this.historyOf("ip", session.remoteAddress, bytes)?.add(now, bytesIn, bytesOut);
    if (session.user !== null) this.historyOf("user", session.user, bytes)?.add(now, bytesIn, bytesOut);
  }

  /**
   * The history of `key`, if it is among the `historyKeys` busiest: a key without one takes the
   * place of the least busy key that has one, when it has moved more bytes.
   */
  private historyOf(kind: KeyKind, key: string, moving: number): TrafficHistory | undefined {
    const histories = this.histories[kind];
    const found = histories.get(key);
    if (found || this.options.historyKeys === 0) return found;
    const score = (k: string) => {
      const a = this.tables[kind].get(k);
      return a ? totalBytes(a) : 0;
    };
    if (histories.size >= this.options.historyKeys) {
      let weakest: string | null = null;
      let weakestScore = Infinity;
      for (const k of histories.keys()) {
        const s = score(k);
        if (s < weakestScore) [weakest, weakestScore] = [k, s];
      }
      if (weakest === null || score(key) + moving <= weakestScore) return undefined;
      histories.delete(weakest);
    }
    const history = new TrafficHistory();
    histories.set(key, history);
    return history;
  }
}
