import net from "node:net";
import { networkInterfaces } from "node:os";
import type { Account } from "../core/auth/types.ts";
import type { FtpServer } from "../core/server.ts";

/** The "post your FTP info" block: what friends need to connect. */
export interface FtpInfo {
  host: string;
  /** Why this host: the configured externalAddress, the one listen address, the address this page was opened by, or a LAN address. */
  hostFrom: "externalAddress" | "listen" | "page" | "lan" | "fallback";
  port: number;
  url: string;
  anonymous: boolean;
  /** "read-only", "read-only, uploads go to /upload", … when anonymous works. */
  anonymousRights: string | null;
  users: string[];
  /** The lines to paste in a chat or forum post. */
  text: string;
}

/** Non-loopback IPv4 addresses of this machine. */
export function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((nic) => nic !== undefined && nic.family === "IPv4" && !nic.internal)
    .map((nic) => nic!.address);
}

const isWildcard = (host: string) => host === "0.0.0.0" || host === "::";
const isLoopbackName = (host: string) => host === "localhost" || host.startsWith("127.") || host === "::1";
const urlHost = (host: string) => (net.isIPv6(host) ? `[${host}]` : host);

/** The host part of a Host header ("pi.local:8080" → "pi.local", "[::1]:80" → "::1"). */
export function hostOfHeader(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^\[([^\]]+)\](?::\d+)?$/.exec(header) ?? /^([^:]+)(?::\d+)?$/.exec(header);
  return match ? match[1]!.toLowerCase() : null;
}

function anonymousRights(account: Account): string {
  const writable = account.permissions
    .filter((rule) => rule.allow.some((p) => p === "write" || p === "append" || p === "mkdir"))
    .map((rule) => rule.path);
  if (writable.length === 0) return "read-only";
  if (writable.includes("/")) return "may read and write";
  return `read-only, uploads go to ${writable.join(", ")}`;
}

function chooseHost(server: FtpServer, pageHost: string | null, lan: string[]): Pick<FtpInfo, "host" | "hostFrom"> {
  if (server.options.externalAddress) return { host: server.options.externalAddress, hostFrom: "externalAddress" };
  const specific = server.addresses().find((a) => !isWildcard(a.host));
  if (specific) return { host: specific.host, hostFrom: "listen" };
  if (pageHost && !isLoopbackName(pageHost)) return { host: pageHost, hostFrom: "page" };
  if (lan[0]) return { host: lan[0], hostFrom: "lan" };
  return { host: pageHost ?? "localhost", hostFrom: "fallback" };
}

export function ftpInfo(server: FtpServer, pageHost: string | null, lan: string[]): FtpInfo {
  const { host, hostFrom } = chooseHost(server, pageHost, lan);
  const port = server.addresses()[0]?.port ?? server.options.listen[0]?.port ?? 21;
  const url = `ftp://${urlHost(host)}:${port}/`;
  const anonymousAccount = server.options.accounts.find((a) => a.anonymous && a.enabled);
  const users = server.options.accounts.filter((a) => !a.anonymous && a.enabled).map((a) => a.name);
  const rights = anonymousAccount ? anonymousRights(anonymousAccount) : null;
  const lines = [`FTP server: ${url}`, `Host: ${host}  Port: ${port}`];
  if (rights) lines.push(`Login: anonymous, any password (${rights})`);
  if (users.length) lines.push(`${rights ? "Or log in" : "Login"} as: ${users.join(", ")} (ask me for the password)`);
  const { tls } = server.options;
  if (tls.enabled) lines.push(tls.require ? "Encryption: FTP over explicit TLS is required." : "Encryption: FTP over explicit TLS works.");
  lines.push("Use passive mode.");
  return { host, hostFrom, port, url, anonymous: rights !== null, anonymousRights: rights, users, text: lines.join("\n") };
}
