import type { Account, AddressFilter } from "../auth/types.ts";

export type LogEvent =
  | "connect"
  | "login"
  | "upload"
  | "download"
  | "delete"
  | "mkdir"
  | "rmdir"
  | "rename"
  | "cwd"
  | "command"
  | "disconnect";

export const ALL_LOG_EVENTS: readonly LogEvent[] = [
  "connect",
  "login",
  "upload",
  "download",
  "delete",
  "mkdir",
  "rmdir",
  "rename",
  "cwd",
  "command",
  "disconnect",
];

export interface ListenAddress {
  host: string;
  port: number;
}

export interface Limits {
  maxClients: number;
  maxSessionsPerIp: number;
  /** Default for accounts that set no maxSessions of their own (0 = unlimited). */
  maxSessionsPerUser: number;
  loginTimeoutMs: number;
  idleTimeoutMs: number;
  maxLoginFailures: number;
  /** An unused passive listener is closed after this long, so the port pool never leaks. */
  passiveTimeoutMs: number;
  /** A transfer that moves no byte for this long is aborted (426), like vsftpd's data_connection_timeout. */
  dataTimeoutMs: number;
  /** Bytes/s for all uploads together, on top of each user's own limit (0 = unlimited). */
  maxUploadRate: number;
  /** Bytes/s for all downloads together (0 = unlimited). */
  maxDownloadRate: number;
  /** Largest range HASH, XCRC, XMD5, XSHA1 and XSHA256 will read, in bytes (0 = no cap). */
  maxHashSize: number;
  /**
   * On SIGTERM/SIGINT, how long running transfers may go on before they are cut (0 = cut at once).
   * The config loader always sets it; absent means DEFAULT_SHUTDOWN_GRACE_MS.
   */
  shutdownGraceMs?: number;
}

/** limits.shutdownGrace when the config says nothing: 30 s. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 30_000;

export interface PluginSpec {
  /** A built-in plugin's name (plugins/<name>), or null when loaded from `path`. */
  name: string | null;
  /** Absolute path of a user plugin (.ts or .js), or null for a built-in. */
  path: string | null;
  options: unknown;
  /** Where the spec was written, for error messages ("ftpi.yaml:12:5"), if known. */
  source?: string;
}

export interface LogOptions {
  format: "text" | "json";
  level: "info" | "debug";
  events: LogEvent[];
  /** File the xferlog lines go to; null = none. */
  xferlog: string | null;
}

export interface WebOptions {
  host: string;
  /** 0 = the status page is off. */
  port: number;
  /** scrypt hash of the admin password from the config, or null (then FTPI_ADMIN_PASSWORD or the stored one). */
  adminPassword: string | null;
  /** Bearer token accepted by /metrics, or null (admin login only). */
  metricsToken: string | null;
}

/** FTPS, RFC 4217: explicit AUTH TLS on the FTP ports, optionally implicit TLS on its own. */
export interface TlsOptions {
  /** Offer AUTH TLS. */
  enabled: boolean;
  /** PEM files; re-read on SIGHUP (certbot renewals). The CLI fills these with a self-signed pair in the data folder when unset. */
  certFile: string | null;
  keyFile: string | null;
  /** Implicit FTPS listeners (TLS from the first byte, traditionally port 990); [] = none. */
  implicit: ListenAddress[];
  /**
   * Every named (non-anonymous) login must come over TLS, with PROT P for data. Anonymous stays
   * allowed in the clear, as in vsftpd (force_anon_logins_ssl=NO) and FileZilla Server; set the
   * anonymous account's requireTls to require TLS from it too.
   */
  require: boolean;
  /** A data connection's TLS session must resume the control connection's (vsftpd's require_ssl_reuse). */
  requireSessionReuse: boolean;
}

/** Everything createServer() needs, fully resolved (paths absolute, groups applied). */
export interface ServerOptions {
  listen: ListenAddress[];
  passivePorts: { min: number; max: number };
  /** IP or hostname put in PASV replies; a hostname is resolved at each PASV. null = the control socket's local address. */
  externalAddress: string | null;
  /** Welcome banner; may hold several lines (sent as a multi-line 220). */
  banner: string;
  goodbye: string;
  limits: Limits;
  ipFilter: AddressFilter;
  /** All accounts, the anonymous one (name "anonymous", also reachable as "ftp") included when enabled. */
  accounts: Account[];
  dataDir: string;
  log: LogOptions;
  plugins: PluginSpec[];
  web: WebOptions;
  tls: TlsOptions;
}
