import { isIP } from "node:net";
import type { InferOutput } from "valibot";
import type { Valibot } from "../../core/index.ts";
import { DEFAULT_LOOKUP } from "./lookup.ts";

/**
 * The ddns plugin's options in ftpi.yaml.
 *
 * @example
 * plugins:
 *   - name: ddns
 *     options:
 *       providers:
 *         - { type: dyndns2, hostnames: [myhost.ddns.net], username: me@example.com, password: "…" }
 *         - { type: duckdns, domains: [myhost], token: "…" }
 *         - { type: cloudflare, zoneId: "…", record: ftp.example.com, token: "…" }
 */
export const ddnsOptions = (v: Valibot) => {
  const url = v.pipe(v.string(), v.url("must be a URL such as https://example.com"));
  const address = (family: 4 | 6) =>
    v.pipe(
      v.string(),
      v.check((s) => isIP(s) === family, `must be an IPv${family} address`),
    );
  const seconds = (min: number) => v.pipe(v.number(), v.minValue(min));
  const names = v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.minLength(1, "name at least one"));
  const secret = v.pipe(v.string(), v.minLength(1, "must not be empty"));
  return v.object({
    /** A fixed public IPv4 address: no lookup (a static address, or one the router reports). */
    address: v.optional(v.nullable(address(4)), null),
    address6: v.optional(v.nullable(address(6)), null),
    /** Look for a public IPv6 address too (shown; sent to providers that have ipv6: true). */
    ipv6: v.optional(v.boolean(), true),
    lookup: v.optional(
      v.strictObject({
        ipv4: v.optional(v.array(url), DEFAULT_LOOKUP.ipv4),
        ipv6: v.optional(v.array(url), DEFAULT_LOOKUP.ipv6),
        timeoutSeconds: v.optional(seconds(0.1), 10),
      }),
      {},
    ),
    /** How often the address is looked up. */
    checkIntervalSeconds: v.optional(seconds(1), 300),
    /** Update even when nothing changed after this long: free No-IP names expire after 30 days. */
    forceRefreshDays: v.optional(seconds(0.0001), 25),
    /** Backoff after a passing failure (911, dnserr, network): doubles from first up to max. */
    retry: v.optional(
      v.strictObject({
        firstSeconds: v.optional(seconds(0.01), 60),
        maxSeconds: v.optional(seconds(0.01), 3600),
      }),
      {},
    ),
    /** Give internet clients the public address in PASV replies (LAN clients keep the local one). */
    passiveAddress: v.optional(v.boolean(), true),
    providers: v.optional(
      v.array(
        v.variant("type", [
          v.strictObject({
            type: v.literal("dyndns2"),
            name: v.optional(v.string()),
            server: v.optional(url, "https://dynupdate.no-ip.com"),
            hostnames: names,
            username: secret,
            password: secret,
            ipv6: v.optional(v.boolean(), false),
          }),
          v.strictObject({
            type: v.literal("duckdns"),
            name: v.optional(v.string()),
            server: v.optional(url, "https://www.duckdns.org"),
            domains: names,
            token: secret,
            ipv6: v.optional(v.boolean(), false),
          }),
          v.strictObject({
            type: v.literal("cloudflare"),
            name: v.optional(v.string()),
            apiBase: v.optional(url, "https://api.cloudflare.com/client/v4"),
            zoneId: secret,
            record: v.pipe(v.string(), v.minLength(1)),
            token: secret,
            ttl: v.optional(v.pipe(v.number(), v.integer()), 1),
            proxied: v.optional(v.boolean(), false),
            ipv6: v.optional(v.boolean(), false),
          }),
        ]),
      ),
      [],
    ),
  });
};

export type DdnsOptions = InferOutput<ReturnType<typeof ddnsOptions>>;
