import type { PluginLogger } from "../../core/index.ts";
import { AddressKeys } from "./address-key.ts";
import { BanList, type BanRecord } from "./ban-list.ts";
import type { AutobanOptions } from "./options.ts";
import { SlidingWindowCounter } from "./sliding-window.ts";

/** A ban as the JSON API shows it. */
export interface BanView {
  /** The banned address, or IPv6 network ("2001:db8:1:2::/64"). */
  address: string;
  reason: string;
  /** When the ban ends, ISO 8601. */
  until: string;
  /** Bans this address has earned lately, this one included. */
  strikes: number;
}

/**
 * What autoban publishes with ctx.expose, for other plugins and the status app:
 * `ctx.use<AutobanApi>("autoban")`.
 */
export interface AutobanApi {
  /** Whether `ip` (or its IPv6 network) is banned now. */
  isBanned(ip: string): boolean;
  /** The ban in force on `ip` (or its IPv6 network), if any: the status page's Retry-After. */
  activeBan(ip: string): BanView | undefined;
  /** Counts a failed login of `ip` from elsewhere (another front door); `reason` must be one of failureReasons to count. */
  recordFailure(ip: string, reason?: string): void;
  /** Bans an address or IPv6 network for `seconds`; throws Error for text that is neither. */
  ban(address: string, seconds: number, reason: string): BanView;
  /** Lifts a ban; false if there was none. */
  lift(address: string): boolean;
  /** The bans in force. */
  bans(): BanView[];
  /** How many addresses autoban holds counters or ban records for (each bounded by maxTrackedAddresses). */
  tracked(): { loginFailures: number; connections: number; bans: number };
}

export const toView = (r: BanRecord): BanView => ({ address: r.address, reason: r.reason, until: new Date(r.until).toISOString(), strikes: r.strikes });

const seconds = (s: number) => `${Number(s.toFixed(3))} s`;

/**
 * The policy: counts failed logins and connections per address, bans an address that goes over
 * either limit, and answers "is it banned?" with one Map lookup.
 */
export class Autoban implements AutobanApi {
  readonly keys: AddressKeys;
  readonly banList: BanList;
  readonly failures: SlidingWindowCounter;
  readonly connections: SlidingWindowCounter;
  private readonly failureReasons: Set<string>;
  /** Called after every change to the ban list (to save it). */
  onChange: () => void = () => {};

  constructor(
    readonly options: AutobanOptions,
    private readonly log: PluginLogger,
    private readonly now: () => number = Date.now,
  ) {
    this.keys = new AddressKeys(options.allow, options.ipv6Prefix);
    this.banList = new BanList(
      {
        banMs: options.banTime * 1000,
        multiplier: options.banMultiplier,
        maxBanMs: options.maxBanTime * 1000,
        strikeMemoryMs: options.strikeMemory * 1000,
        maxRecords: options.maxTrackedAddresses,
      },
      now,
    );
    this.failures = new SlidingWindowCounter(options.maxLoginFailures, options.loginFailureWindow * 1000, options.maxTrackedAddresses);
    this.connections = new SlidingWindowCounter(options.maxConnections + 1, options.connectionWindow * 1000, options.maxTrackedAddresses);
    this.failureReasons = new Set(options.failureReasons);
  }

  /**
   * A new connection from `ip`: the ban in force on it, if any; otherwise the connection is
   * counted, and the one that goes over the limit (the 21st within 10 s, by default) is refused
   * with a fresh ban.
   */
  connect(ip: string): BanRecord | undefined {
    const key = this.keys.keyOf(ip);
    if (key === null) return undefined;
    const ban = this.banList.active(key);
    if (ban) return ban;
    if (!this.connections.hit(key, this.now())) return undefined;
    return this.strike(key, `more than ${this.options.maxConnections} connections in ${seconds(this.options.connectionWindow)}`);
  }

  /** The ban in force on `ip`, if any. */
  banOf(ip: string): BanRecord | undefined {
    const key = this.keys.keyOf(ip);
    return key === null ? undefined : this.banList.active(key);
  }

  isBanned(ip: string): boolean {
    return this.banOf(ip) !== undefined;
  }

  activeBan(ip: string): BanView | undefined {
    const record = this.banOf(ip);
    return record && toView(record);
  }

  recordFailure(ip: string, reason = "bad-password"): void {
    if (!this.failureReasons.has(reason)) return;
    const key = this.keys.keyOf(ip);
    if (key === null || !this.failures.hit(key, this.now())) return;
    this.strike(key, `${this.options.maxLoginFailures} failed logins in ${seconds(this.options.loginFailureWindow)}`);
  }

  ban(address: string, seconds: number, reason: string): BanView {
    const key = this.keys.keyOfAdminInput(address);
    const record = this.banList.set(key, seconds * 1000, reason);
    this.log.warn("banned by admin", { address: key, reason, until: new Date(record.until).toISOString() });
    this.onChange();
    return toView(record);
  }

  lift(address: string): boolean {
    const key = this.keys.keyOfAdminInput(address);
    const lifted = this.banList.lift(key);
    this.failures.forget(key);
    this.connections.forget(key);
    if (lifted) {
      this.log.info("ban lifted", { address: key });
      this.onChange();
    }
    return lifted;
  }

  bans(): BanView[] {
    return this.banList.list().map(toView);
  }

  tracked(): { loginFailures: number; connections: number; bans: number } {
    return { loginFailures: this.failures.size, connections: this.connections.size, bans: this.banList.size };
  }

  /** The public face, for ctx.expose: the API methods and nothing else. */
  api(): AutobanApi {
    return {
      isBanned: (ip) => this.isBanned(ip),
      activeBan: (ip) => this.activeBan(ip),
      recordFailure: (ip, reason) => this.recordFailure(ip, reason),
      ban: (address, seconds, reason) => this.ban(address, seconds, reason),
      lift: (address) => this.lift(address),
      bans: () => this.bans(),
      tracked: () => this.tracked(),
    };
  }

  /** Forgets counters that left their window and bans past their strike memory. */
  sweep(): void {
    const now = this.now();
    this.failures.sweep(now);
    this.connections.sweep(now);
    if (this.banList.sweep()) this.onChange();
  }

  private strike(key: string, reason: string): BanRecord {
    const record = this.banList.strike(key, reason);
    this.failures.forget(key);
    this.connections.forget(key);
    this.log.warn("banned", { address: key, reason, strikes: record.strikes, until: new Date(record.until).toISOString() });
    this.onChange();
    return record;
  }
}
