import { httpRequest } from "../http.ts";
import type { DdnsProvider, PublicAddresses, UpdateContext, UpdateResult } from "../types.ts";
import { fromHttpStatus, retryAfter } from "./answers.ts";

/** A DuckDNS account in ftpi.yaml. */
export interface DuckdnsConfig {
  type: "duckdns";
  name?: string;
  server: string;
  /** Sub-domains, with or without ".duckdns.org". */
  domains: string[];
  token: string;
  ipv6: boolean;
}

/**
 * DuckDNS (https://www.duckdns.org/spec.jsp): `GET /update?domains=…&token=…&ip=…`, answered "OK"
 * or "KO". KO means a wrong token or domain, so it stops updates until the config changes.
 */
export function duckdnsProvider(config: DuckdnsConfig, fingerprint: string): DdnsProvider {
  const domains = config.domains.map((d) => d.replace(/\.duckdns\.org\.?$/i, ""));
  return {
    name: config.name ?? `duckdns ${domains.join(", ")}`,
    hostnames: domains.map((d) => `${d}.duckdns.org`),
    families: config.ipv6 ? [4, 6] : [4],
    fingerprint,
    async update(addresses: PublicAddresses, context: UpdateContext): Promise<UpdateResult> {
      const query = new URLSearchParams({ domains: domains.join(","), token: config.token });
      if (addresses.ipv4) query.set("ip", addresses.ipv4);
      if (addresses.ipv6) query.set("ipv6", addresses.ipv6);
      const answer = await httpRequest(`${config.server.replace(/\/+$/, "")}/update?${query}`, {
        userAgent: context.userAgent,
        timeoutMs: context.timeoutMs,
        signal: context.signal,
      });
      const word = answer.text.trim().split(/\s+/)[0];
      if (answer.status === 200 && word === "OK") return { status: "ok", code: "OK", message: "updated" };
      if (answer.status === 200 && word === "KO") return { status: "fatal", code: "KO", message: "DuckDNS refused the token or a domain; check them in the config" };
      return fromHttpStatus(answer.status, answer.text, retryAfter(answer.headers));
    },
  };
}
