/** The public addresses of this box; null for a family it has none of (or could not find). */
export interface PublicAddresses {
  ipv4: string | null;
  ipv6: string | null;
}

/**
 * A provider's answer to one update.
 * - `ok`: the name points at the address (dyndns2 `good` and `nochg`).
 * - `fatal`: the provider refused the request itself (wrong password, unknown name, blocked):
 *   updates stop until the configuration changes, as the dyndns2 protocol demands.
 * - `retry`: a passing problem (the provider's servers, the network): tried again after an
 *   exponential backoff.
 *
 * @example
 * const result: UpdateResult = { status: "fatal", code: "badauth", message: "the user name or password is wrong" };
 */
export interface UpdateResult {
  status: "ok" | "fatal" | "retry";
  /** The provider's own word for it: "good", "nochg", "badauth", "911", "KO", "HTTP 503", … */
  code: string;
  /** What happened, for the status page; for fatal answers, what to fix. */
  message: string;
  /** For `retry`: wait at least this long (the protocol's minimum, or a Retry-After). */
  retryAfterMs?: number;
}

/** What an update may use besides the addresses. */
export interface UpdateContext {
  /** Aborted when the server closes; pass it to fetch. */
  signal: AbortSignal;
  /** "ftpi/0.1.0 (+https://…)": providers ask clients to name themselves. */
  userAgent: string;
  /** How long one HTTP request may take. */
  timeoutMs: number;
}

/**
 * A dynamic-DNS service. Built in: dyndns2 (No-IP, Dyn and compatible), DuckDNS and Cloudflare; a
 * plugin adds another through the ddns plugin's API. `update` is called when the address changes,
 * for the forced refresh, and for retries; a thrown error counts as `retry` (network trouble).
 *
 * @example
 * const ddns = ctx.use<DdnsApi>("ddns");
 * ddns?.addProvider({
 *   name: "my-router",
 *   hostnames: ["home.example.net"],
 *   async update(addresses, { signal, userAgent }) {
 *     const res = await fetch(`https://dns.example.net/set?ip=${addresses.ipv4}`, { signal, headers: { "user-agent": userAgent } });
 *     return res.ok ? { status: "ok", code: "ok", message: "updated" } : { status: "retry", code: `HTTP ${res.status}`, message: await res.text() };
 *   },
 * });
 */
export interface DdnsProvider {
  /** Unique among the providers; shown on the status page and keys the saved state. */
  readonly name: string;
  /** The names it keeps pointing at this box. */
  readonly hostnames: readonly string[];
  /** The address families it sets; default [4]. It is given null for the others. */
  readonly families?: readonly (4 | 6)[];
  /**
   * Changes when its configuration does (a hash, never a secret in clear): a provider stopped by a
   * fatal answer stays stopped across restarts until this changes. Default: the name.
   */
  readonly fingerprint?: string;
  update(addresses: PublicAddresses, context: UpdateContext): Promise<UpdateResult>;
}

/** One provider as the status page shows it. */
export interface ProviderStatus {
  name: string;
  hostnames: string[];
  families: (4 | 6)[];
  /** The addresses the provider last accepted. */
  addresses: PublicAddresses | null;
  lastAttemptAt: string | null;
  /** The last accepted update (or confirmation, for nochg). */
  lastUpdateAt: string | null;
  lastResult: (UpdateResult & { at: string }) | null;
  /** Stopped by a fatal answer: nothing is sent until the configuration changes. */
  stopped: boolean;
  failures: number;
  retryAt: string | null;
}

/** GET /plugins/ddns/api/status. Times are ISO 8601. */
export interface DdnsStatus {
  addresses: PublicAddresses;
  /** Where each address came from: a lookup URL or "config". */
  sources: { ipv4: string | null; ipv6: string | null };
  /** Why the last lookup found no IPv4 address, if it did not. */
  lookupError: string | null;
  lastCheckAt: string | null;
  nextCheckAt: string | null;
  providers: ProviderStatus[];
}

/**
 * What the ddns plugin exposes: `ctx.use<DdnsApi>("ddns")` in a plugin loaded after it.
 *
 * @example
 * const ip = ctx.use<DdnsApi>("ddns")?.address(4);
 */
export interface DdnsApi {
  /** Adds a provider; it is updated at the next check. */
  addProvider(provider: DdnsProvider): void;
  status(): DdnsStatus;
  /** Looks the address up and updates what is due now (everything not stopped, with force). */
  checkNow(options?: { force?: boolean }): Promise<DdnsStatus>;
  /** The current public address of a family (4 by default), or null. */
  address(family?: 4 | 6): string | null;
}
