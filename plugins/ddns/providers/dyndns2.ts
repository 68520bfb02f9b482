import { httpRequest } from "../http.ts";
import type { DdnsProvider, PublicAddresses, UpdateContext, UpdateResult } from "../types.ts";
import { fromHttpStatus, retryAfter, worst } from "./answers.ts";

/** A dyndns2 service in ftpi.yaml. */
export interface Dyndns2Config {
  type: "dyndns2";
  name?: string;
  /** No-IP by default; Dyn is https://members.dyndns.org, others publish theirs. */
  server: string;
  hostnames: string[];
  username: string;
  password: string;
  /** Also send the IPv6 address (as myipv6, which No-IP and most others read). */
  ipv6: boolean;
}

// The answers of the dyndns2 protocol (https://help.dyn.com/remote-access-api/return-codes/,
// https://www.noip.com/integrate/response). A client must stop on the fatal ones until its user
// changes something: repeating them gets the account blocked.
const ANSWERS: Record<string, Omit<UpdateResult, "code">> = {
  good: { status: "ok", message: "updated" },
  nochg: { status: "ok", message: "already pointing at this address" },
  badauth: { status: "fatal", message: "the user name or password is wrong" },
  "!donator": { status: "fatal", message: "the account does not include this feature" },
  notfqdn: { status: "fatal", message: "the host name is not a fully qualified domain name" },
  nohost: { status: "fatal", message: "the host name does not exist in this account" },
  numhost: { status: "fatal", message: "too many host names in one update" },
  abuse: { status: "fatal", message: "the host name is blocked for abuse" },
  badagent: { status: "fatal", message: "the service refused this client (user agent or request)" },
  badsys: { status: "fatal", message: "the service refused the system parameter" },
  "!yours": { status: "fatal", message: "the host name belongs to another account" },
  "!active": { status: "fatal", message: "the host name is not active" },
  dnserr: { status: "retry", message: "DNS error at the service; retrying later" },
  // No-IP: "retry the update no sooner than 30 minutes".
  "911": { status: "retry", message: "the service has a problem; retrying in 30 minutes or more", retryAfterMs: 30 * 60_000 },
};

/**
 * The dyndns2 protocol: `GET /nic/update?hostname=…&myip=…` with Basic auth, one answer line per
 * host name ("good 203.0.113.7", "nochg …", "badauth", "911", …).
 *
 * @example
 * dyndns2Provider({ type: "dyndns2", server: "https://dynupdate.no-ip.com", hostnames: ["myhost.ddns.net"], username: "me", password: "pw", ipv6: false }, "a1b2")
 */
export function dyndns2Provider(config: Dyndns2Config, fingerprint: string): DdnsProvider {
  return {
    name: config.name ?? `dyndns2 ${config.hostnames.join(", ")}`,
    hostnames: config.hostnames,
    families: config.ipv6 ? [4, 6] : [4],
    fingerprint,
    async update(addresses: PublicAddresses, context: UpdateContext): Promise<UpdateResult> {
      const query = new URLSearchParams({ hostname: config.hostnames.join(",") });
      if (addresses.ipv4) query.set("myip", addresses.ipv4);
      if (addresses.ipv6) query.set("myipv6", addresses.ipv6);
      const answer = await httpRequest(`${config.server.replace(/\/+$/, "")}/nic/update?${query}`, {
        headers: { authorization: `Basic ${Buffer.from(`${config.username}:${config.password}`).toString("base64")}` },
        userAgent: context.userAgent,
        timeoutMs: context.timeoutMs,
        signal: context.signal,
      });
      return readDyndns2Answer(answer.status, answer.text, retryAfter(answer.headers));
    },
  };
}

/** The answer lines of a dyndns2 update, one per host name; the worst one counts. */
export function readDyndns2Answer(status: number, body: string, retryAfterMs?: number): UpdateResult {
  const lines = body.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const known = lines.map((line) => ({ line, answer: ANSWERS[line.split(/\s+/)[0]!] }));
  if (!known.length || known.some((k) => !k.answer)) return fromHttpStatus(status, body, retryAfterMs);
  return worst(known.map(({ line, answer }) => ({ ...answer!, code: line.split(/\s+/)[0]! })));
}
