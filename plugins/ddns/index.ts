import type { Hono } from "hono";
import { definePlugin, isPrivateAddress } from "../../core/index.ts";
import { PublicAddressLookup } from "./lookup.ts";
import { mountPanel } from "./panel.tsx";
import { createProvider } from "./providers/index.ts";
import { ddnsOptions } from "./settings.ts";
import type { DdnsApi } from "./types.ts";
import { DdnsUpdater, type SavedState } from "./updater.ts";
import { USER_AGENT } from "./user-agent.ts";

export type { DdnsApi, DdnsProvider, DdnsStatus, ProviderStatus, PublicAddresses, UpdateContext, UpdateResult } from "./types.ts";
export { readDyndns2Answer } from "./providers/dyndns2.ts";
export { backoffDelay } from "./updater.ts";

/** Longest pause between two looks at whether a check or a retry is due. */
const TICK_MS = 5000;

/**
 * ddns: keeps dynamic-DNS names pointing at this box, and gives internet clients its public
 * address in PASV replies. The address comes from "what is my IP" endpoints (or the config);
 * providers (dyndns2 — No-IP, Dyn —, DuckDNS, Cloudflare, or one a plugin adds) are updated when
 * it changes and every `forceRefreshDays`.
 *
 * @example
 * plugins:
 *   - name: ddns
 *     options:
 *       providers:
 *         - { type: dyndns2, hostnames: [myhost.ddns.net], username: me@example.com, password: "…" }
 */
export default definePlugin({
  name: "ddns",
  options: ddnsOptions,
  async setup(ctx) {
    const o = ctx.options;
    const updater = new DdnsUpdater(
      {
        fixed: { ipv4: o.address, ipv6: o.address6 },
        lookupIpv6: o.ipv6,
        checkIntervalMs: o.checkIntervalSeconds * 1000,
        forceRefreshMs: o.forceRefreshDays * 86_400_000,
        retryFirstMs: o.retry.firstSeconds * 1000,
        retryMaxMs: o.retry.maxSeconds * 1000,
        timeoutMs: o.lookup.timeoutSeconds * 1000,
        userAgent: USER_AGENT,
      },
      {
        lookup: new PublicAddressLookup(o.lookup, { timeoutMs: o.lookup.timeoutSeconds * 1000, userAgent: USER_AGENT }),
        store: ctx.state<SavedState>("state"),
        log: ctx.log,
      },
    );
    await updater.load();
    for (const config of o.providers) updater.addProvider(createProvider(config));

    if (o.passiveAddress) {
      // LAN clients get null: the core answers with the local address, which they can reach.
      ctx.server.setPassiveAddress((client) => (isPrivateAddress(client) ? null : updater.address(4)));
    }
    const api: DdnsApi = {
      addProvider: (provider) => updater.addProvider(provider),
      status: () => updater.status(),
      checkNow: (options) => updater.checkNow(options),
      address: (family) => updater.address(family),
    };
    ctx.expose(api);
    ctx.web((app: Hono) => mountPanel(app, () => updater.status()));
    ctx.every(Math.min(TICK_MS, o.checkIntervalSeconds * 1000), () => updater.tick());
    ctx.onClose(() => updater.close());
  },
});
