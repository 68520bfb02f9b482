import type { PluginLogger, StateStore } from "../../core/index.ts";
import { networkError } from "./http.ts";
import type { PublicAddressLookup } from "./lookup.ts";
import type { DdnsProvider, DdnsStatus, ProviderStatus, PublicAddresses, UpdateResult } from "./types.ts";

/** What is kept of one provider across restarts. Times are ms since the epoch. */
interface ProviderState {
  fingerprint: string;
  /** The addresses the provider last accepted. */
  sent: PublicAddresses | null;
  lastAttemptAt: number | null;
  lastUpdateAt: number | null;
  lastResult: (UpdateResult & { at: number }) | null;
  stopped: boolean;
  failures: number;
  retryAt: number | null;
}

/** The ddns plugin's state file. */
export interface SavedState {
  version: 1;
  addresses: PublicAddresses;
  lastCheckAt: number | null;
  providers: Record<string, ProviderState>;
}

export interface UpdaterSettings {
  /** Addresses from the config; a family set here is never looked up. */
  fixed: PublicAddresses;
  lookupIpv6: boolean;
  checkIntervalMs: number;
  forceRefreshMs: number;
  retryFirstMs: number;
  retryMaxMs: number;
  /** Per HTTP request of a provider. */
  timeoutMs: number;
  userAgent: string;
}

export interface UpdaterDeps {
  lookup: PublicAddressLookup;
  store: StateStore<SavedState>;
  log: PluginLogger;
  /** The clock; tests move it. */
  now?: () => number;
}

const FRESH = (fingerprint: string): ProviderState => ({
  fingerprint,
  sent: null,
  lastAttemptAt: null,
  lastUpdateAt: null,
  lastResult: null,
  stopped: false,
  failures: 0,
  retryAt: null,
});

/**
 * Keeps the providers' names pointing at this box. A check looks the public address up, then
 * updates each provider that is due: the address changed, the forced refresh is due, or a retry
 * is. A fatal answer stops a provider until its configuration (fingerprint) changes, across
 * restarts; passing failures back off exponentially, within bounds. Checks never overlap.
 */
export class DdnsUpdater {
  private addresses: PublicAddresses = { ipv4: null, ipv6: null };
  private sources: { ipv4: string | null; ipv6: string | null } = { ipv4: null, ipv6: null };
  private lookupError: string | null = null;
  private lastCheckAt: number | null = null;
  private nextCheckAt = 0;
  private saved: Record<string, ProviderState> = {};
  private readonly entries: { provider: DdnsProvider; state: ProviderState }[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private busy = false;
  private readonly stopping = new AbortController();
  private readonly now: () => number;

  constructor(
    private readonly settings: UpdaterSettings,
    private readonly deps: UpdaterDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.addresses = { ...settings.fixed };
    this.sources = { ipv4: settings.fixed.ipv4 && "config", ipv6: settings.fixed.ipv6 && "config" };
  }

  /** Restores the last addresses and the providers' state; call before addProvider. */
  async load(): Promise<void> {
    let state: SavedState | undefined;
    try {
      state = await this.deps.store.load();
    } catch (err) {
      this.deps.log.warn(`saved state unreadable, starting afresh: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (state?.version !== 1) return;
    this.saved = state.providers ?? {};
    this.lastCheckAt = state.lastCheckAt;
    // Until the first lookup, the last known address is the best guess (PASV needs one now).
    this.addresses = { ipv4: this.settings.fixed.ipv4 ?? state.addresses.ipv4, ipv6: this.settings.fixed.ipv6 ?? state.addresses.ipv6 };
  }

  /**
   * Adds a provider. Its saved state is kept when its fingerprint is unchanged (so a provider
   * stopped by "badauth" stays stopped), and dropped when the configuration changed.
   */
  addProvider(provider: DdnsProvider): void {
    if (this.entries.some((e) => e.provider.name === provider.name)) throw new Error(`a ddns provider named "${provider.name}" exists already`);
    const fingerprint = provider.fingerprint ?? provider.name;
    const saved = this.saved[provider.name];
    const state = saved?.fingerprint === fingerprint ? saved : FRESH(fingerprint);
    if (saved && saved !== state) this.deps.log.info(`${provider.name}: configuration changed, updating afresh`);
    if (state.stopped) this.deps.log.warn(`${provider.name}: stays stopped (${state.lastResult?.code}: ${state.lastResult?.message}) until its configuration changes`);
    this.entries.push({ provider, state });
  }

  /** The current public address of a family, or null. */
  address(family: 4 | 6 = 4): string | null {
    return family === 4 ? this.addresses.ipv4 : this.addresses.ipv6;
  }

  /** For a timer: starts a check when one is due and none is running. */
  tick(): void {
    if (this.busy || this.stopping.signal.aborted) return;
    const now = this.now();
    const retryDue = this.entries.some((e) => !e.state.stopped && e.state.retryAt !== null && e.state.retryAt <= now);
    if (now >= this.nextCheckAt || retryDue) void this.enqueue(false);
  }

  /** Checks now (after a running check); with force, every provider not stopped is updated. */
  async checkNow(options: { force?: boolean } = {}): Promise<DdnsStatus> {
    await this.enqueue(options.force ?? false);
    return this.status();
  }

  /** Stops: aborts requests in flight, waits for the check, saves. */
  async close(): Promise<void> {
    this.stopping.abort(new Error("server closing"));
    await this.chain;
    await this.save();
  }

  status(): DdnsStatus {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    const retries = this.entries.filter((e) => !e.state.stopped && e.state.retryAt !== null).map((e) => e.state.retryAt!);
    const next = this.stopping.signal.aborted ? null : Math.min(this.nextCheckAt || this.now(), ...retries);
    return {
      addresses: { ...this.addresses },
      sources: { ...this.sources },
      lookupError: this.lookupError,
      lastCheckAt: iso(this.lastCheckAt),
      nextCheckAt: iso(next),
      providers: this.entries.map(({ provider, state }): ProviderStatus => ({
        name: provider.name,
        hostnames: [...provider.hostnames],
        families: familiesOf(provider),
        addresses: state.sent,
        lastAttemptAt: iso(state.lastAttemptAt),
        lastUpdateAt: iso(state.lastUpdateAt),
        lastResult: state.lastResult && { ...state.lastResult, at: iso(state.lastResult.at)! },
        stopped: state.stopped,
        failures: state.failures,
        retryAt: iso(state.stopped ? null : state.retryAt),
      })),
    };
  }

  private enqueue(force: boolean): Promise<void> {
    const run = this.chain.then(async () => {
      if (this.stopping.signal.aborted) return;
      this.busy = true;
      try {
        await this.check(force);
      } finally {
        this.busy = false;
      }
    });
    this.chain = run.catch((err) => this.deps.log.error(`check failed: ${err instanceof Error ? err.message : String(err)}`));
    return this.chain as Promise<void>;
  }

  private async check(force: boolean): Promise<void> {
    const signal = this.stopping.signal;
    const fresh = await this.lookUp(signal);
    if (signal.aborted) return;
    const now = this.now();
    this.lastCheckAt = now;
    this.nextCheckAt = now + this.settings.checkIntervalMs;
    if (fresh) {
      for (const entry of this.entries) {
        if (signal.aborted) return;
        await this.updateIfDue(entry, force);
      }
    }
    await this.save();
  }

  /** Finds the addresses; false when IPv4 could not be found (then nothing is sent this round). */
  private async lookUp(signal: AbortSignal): Promise<boolean> {
    const { fixed } = this.settings;
    let fresh = true;
    if (!fixed.ipv4) {
      const found = await this.deps.lookup.find(4, signal);
      if (found.address) {
        if (this.addresses.ipv4 && this.addresses.ipv4 !== found.address) this.deps.log.info(`public IPv4 address changed from ${this.addresses.ipv4} to ${found.address}`);
        else if (!this.addresses.ipv4) this.deps.log.info(`public IPv4 address is ${found.address}`);
        this.addresses.ipv4 = found.address;
        this.sources.ipv4 = found.source;
        this.lookupError = null;
      } else {
        fresh = false;
        this.lookupError = found.errors.join("; ") || "no lookup endpoint configured";
        if (!signal.aborted) this.deps.log.warn(`cannot find the public IPv4 address: ${this.lookupError}`);
      }
    }
    if (!fixed.ipv6 && this.settings.lookupIpv6) {
      const found = await this.deps.lookup.find(6, signal);
      // No IPv6 is normal: many lines have none. A known address is kept through a failed lookup.
      if (found.address) {
        if (this.addresses.ipv6 !== found.address) this.deps.log.info(`public IPv6 address is ${found.address}`);
        this.addresses.ipv6 = found.address;
        this.sources.ipv6 = found.source;
      } else this.deps.log.debug(`no public IPv6 address found: ${found.errors.join("; ")}`);
    }
    return fresh;
  }

  private async updateIfDue({ provider, state }: { provider: DdnsProvider; state: ProviderState }, force: boolean): Promise<void> {
    if (state.stopped) return;
    const now = this.now();
    const families = familiesOf(provider);
    const wanted: PublicAddresses = { ipv4: families.includes(4) ? this.addresses.ipv4 : null, ipv6: families.includes(6) ? this.addresses.ipv6 : null };
    if (!wanted.ipv4 && !wanted.ipv6) return;
    const retrying = state.retryAt !== null;
    if (retrying && state.retryAt! > now && !force) return;
    const changed = state.sent?.ipv4 !== wanted.ipv4 || state.sent?.ipv6 !== wanted.ipv6;
    const refreshDue = state.lastUpdateAt === null || now - state.lastUpdateAt >= this.settings.forceRefreshMs;
    if (!force && !retrying && !changed && !refreshDue) return;

    let result: UpdateResult;
    try {
      result = await provider.update(wanted, { signal: this.stopping.signal, userAgent: this.settings.userAgent, timeoutMs: this.settings.timeoutMs });
    } catch (err) {
      if (this.stopping.signal.aborted) return;
      result = { status: "retry", code: "network", message: networkError(err) };
    }
    const at = this.now();
    state.lastAttemptAt = at;
    state.lastResult = { ...result, at };
    const names = provider.hostnames.join(", ");
    if (result.status === "ok") {
      state.sent = wanted;
      state.lastUpdateAt = at;
      state.failures = 0;
      state.retryAt = null;
      this.deps.log.info(`${provider.name}: ${result.code} (${names} → ${[wanted.ipv4, wanted.ipv6].filter(Boolean).join(", ")})`);
    } else if (result.status === "fatal") {
      state.stopped = true;
      state.retryAt = null;
      this.deps.log.error(`${provider.name}: ${result.code}: ${result.message}. Updates of ${names} stop until its configuration changes.`);
    } else {
      state.failures++;
      const delay = Math.max(backoffDelay(state.failures, this.settings.retryFirstMs, this.settings.retryMaxMs), result.retryAfterMs ?? 0);
      state.retryAt = at + delay;
      this.deps.log.warn(`${provider.name}: ${result.code}: ${result.message}; retrying in ${Math.round(delay / 1000)} s`);
    }
  }

  private async save(): Promise<void> {
    const providers: Record<string, ProviderState> = {};
    for (const { provider, state } of this.entries) providers[provider.name] = state;
    try {
      await this.deps.store.save({ version: 1, addresses: this.addresses, lastCheckAt: this.lastCheckAt, providers });
    } catch (err) {
      this.deps.log.error(`cannot save state: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/**
 * The wait before retry number `failures` (1, 2, …): `first`, doubled each time, never more than `max`.
 *
 * @example
 * backoffDelay(1, 60_000, 3_600_000) // 60_000
 * backoffDelay(4, 60_000, 3_600_000) // 480_000
 * backoffDelay(9, 60_000, 3_600_000) // 3_600_000
 */
export function backoffDelay(failures: number, first: number, max: number): number {
  return Math.min(max, first * 2 ** Math.min(Math.max(0, failures - 1), 40));
}

function familiesOf(provider: DdnsProvider): (4 | 6)[] {
  return [...(provider.families ?? [4])];
}
