import { lanAddresses } from "../web/ftp-info.ts";
import type { Account } from "../core/auth/types.ts";
import type { ListenAddress, ServerOptions } from "../core/config/types.ts";
import { VERSION } from "./version.ts";

export interface StartupInfo {
  options: ServerOptions;
  /** Where the server really listens (port 0 resolved). */
  addresses: ListenAddress[];
  configFile: string | null;
  /** Folders created for this run. */
  created?: string[];
  /** This machine's LAN addresses; default: from os.networkInterfaces(). */
  lanAddresses?: string[];
  /** The running status page; null when web.port is 0. Absent: told from the options alone. */
  statusPage?: { port: number; generatedPassword: string | null; passwordFile: string } | null;
  /**
   * Fingerprints of the FTPS certificate, for users to compare with what their client shows
   * (FileZilla shows SHA-256; lftp names a certificate it does not trust by its SHA-1).
   */
  tlsFingerprint?: { sha256: string; sha1: string } | null;
}

const isWildcard = (host: string) => host === "0.0.0.0" || host === "::";
const urlHost = (host: string) => (host.includes(":") ? `[${host}]` : host);
const showAddress = (a: ListenAddress) => `${urlHost(a.host)}:${a.port}`;

function anonymousRights(account: Account): string {
  const writes = (rule: Account["permissions"][number]) =>
    rule.allow.some((p) => p === "write" || p === "append" || p === "mkdir");
  const writable = account.permissions.filter(writes).map((rule) => rule.path);
  if (writable.length === 0) return "read-only";
  if (writable.includes("/")) return "may read and write";
  return `read-only, uploads go to ${writable.join(", ")}`;
}

/** The block `ftpi serve` prints once listening: where it is, and what to post for friends. */
export function startupBlock(info: StartupInfo): string {
  const { options, addresses } = info;
  const lan = info.lanAddresses ?? lanAddresses();
  const port = addresses[0]?.port ?? options.listen[0]?.port ?? 2121;
  // Plain FTP listeners only: implicit FTPS ones follow them in `addresses` and have their own
  // line; each host:port is shown once (two listeners may share a host, or resolve to LAN ones).
  const ftpListeners = addresses.slice(0, Math.max(1, options.listen.length));
  const reachable = [
    ...new Set(
      ftpListeners.flatMap((a) =>
        (isWildcard(a.host) ? (lan.length > 0 ? lan : ["localhost"]) : [a.host]).map((host) => `ftp://${urlHost(host)}:${a.port}/`),
      ),
    ),
  ];
  const postHost = options.externalAddress ?? (ftpListeners.some((a) => isWildcard(a.host)) ? (lan[0] ?? "localhost") : (ftpListeners[0]?.host ?? "localhost"));
  const ftpUrl = (host: string) => `ftp://${urlHost(host)}:${port}/`;
  const webHost = isWildcard(options.web.host) ? (lan[0] ?? "localhost") : options.web.host;

  const lines = [
    `ftpi ${VERSION} is running (${info.configFile ? `config: ${info.configFile}` : "built-in defaults, no config file"})`,
    "",
    `  Listening    ${addresses.map(showAddress).join(", ")}`,
    `  Address      ${reachable.join("  ")}`,
    `  Passive      ports ${options.passivePorts.min}-${options.passivePorts.max}` +
      (options.externalAddress ? `, announced as ${options.externalAddress}` : ""),
  ];
  const anonymous = options.accounts.find((account) => account.anonymous);
  const users = options.accounts.filter((account) => !account.anonymous && account.enabled);
  if (options.tls.enabled) {
    const implicit = addresses.slice(options.listen.length);
    const modes = ["explicit (AUTH TLS)", ...(implicit.length ? [`implicit on ${implicit.map(showAddress).join(", ")}`] : [])].join(", ");
    lines.push(`  FTPS         ${modes}${options.tls.require ? ", required for named users" : ""}`);
    if (info.tlsFingerprint) {
      lines.push(`  Certificate  SHA-256 ${info.tlsFingerprint.sha256}`);
      // A self-signed certificate is trusted by its fingerprint; lftp takes that as a setting.
      lines.push(`               SHA-1   ${info.tlsFingerprint.sha1}`);
      lines.push(`               lftp: set ssl:verify-certificate/${info.tlsFingerprint.sha1} no`);
    }
  } else lines.push("  FTPS         off (tls.enabled is false)");
  if (anonymous) lines.push(`  Shared       ${anonymous.home}`);
  if (users.length > 0) lines.push(`  Users        ${users.map((user) => `${user.name} (${user.home})`).join(", ")}`);
  const webPort = info.statusPage === undefined ? options.web.port : (info.statusPage?.port ?? 0);
  lines.push(webPort === 0 ? "  Status page  off (web.port is 0)" : `  Status page  http://${urlHost(webHost)}:${webPort}/  (user admin)`);
  const generated = info.statusPage?.generatedPassword;
  if (generated) {
    // Printed this once: only its hash is kept.
    lines.push(`  Admin login  admin / ${generated}  (new; shown only now, kept hashed in ${info.statusPage!.passwordFile})`);
  }
  if (info.created?.length) lines.push(`  Created      ${info.created.join(", ")}`);

  lines.push("", "Post this for friends:");
  if (anonymous) {
    lines.push(`  ${ftpUrl(postHost)}  user: anonymous  (any password; ${anonymousRights(anonymous)})`);
  }
  for (const user of users) lines.push(`  ${ftpUrl(postHost)}  user: ${user.name}`);
  if (!anonymous && users.length === 0) {
    lines.push("  nobody can log in yet: add users to ftpi.yaml, or start with --user NAME:PASSWORD or --anonymous");
  }
  if (!options.externalAddress) {
    lines.push(
      "",
      `From the internet: forward TCP ${port} and ${options.passivePorts.min}-${options.passivePorts.max} on your router` +
        " and set externalAddress (or --external-address) to your public IP or DNS name.",
    );
  }
  return `${lines.join("\n")}\n`;
}
