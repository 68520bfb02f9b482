import type { Account, AddressFilter } from "../auth/types.ts";

/**
 * What the session log records, as in G6 FTP Server's log options (`log.events` in ftpi.yaml);
 * "command" logs every command at debug level, with PASS shown as `PASS ***`.
 *
 * @example
 * const quiet: LogEvent[] = ["login", "upload", "delete"];
 */
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

/**
 * Server-wide limits (`limits:` in ftpi.yaml, durations there in seconds, here in ms).
 *
 * @example
 * const limits: Limits = {
 *   maxClients: 50, maxSessionsPerIp: 5, maxSessionsPerUser: 0,
 *   loginTimeoutMs: 30_000, idleTimeoutMs: 900_000, maxLoginFailures: 3,
 *   passiveTimeoutMs: 30_000, dataTimeoutMs: 300_000,
 *   maxUploadRate: 0, maxDownloadRate: 0, maxHashSize: 0,
 * };
 */
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

/**
 * One entry of `plugins:` in ftpi.yaml: a built-in by name or a file by path, with its options.
 *
 * @example
 * const specs: PluginSpec[] = [
 *   { name: "autoban", path: null, options: { maxFailures: 5 } },
 *   { name: null, path: "/etc/ftpi/plugins/greeter.ts", options: {} },
 * ];
 */
export interface PluginSpec {
  /** A built-in plugin's name (plugins/<name>), or null when loaded from `path`. */
  name: string | null;
  /** Absolute path of a user plugin (.ts or .js), or null for a built-in. */
  path: string | null;
  options: unknown;
  /** Where the spec was written, for error messages ("ftpi.yaml:12:5"), if known. */
  source?: string;
}

/**
 * The session log (stdout) and the transfer log (`log:` in ftpi.yaml).
 *
 * @example
 * const log: LogOptions = { format: "json", level: "info", events: ["login", "upload"], xferlog: "/var/log/ftpi/xferlog" };
 */
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

/**
 * Everything createServer() needs, fully resolved (paths absolute, groups applied). The CLI
 * builds it from ftpi.yaml and flags with loadConfig(); embedders usually start from that too.
 *
 * @example
 * const options = await loadConfig("ftpi.yaml");
 * const server = await createServer({ ...options, banner: "Welcome to the attic." });
 * await server.listen();
 */
export interface ServerOptions {
  listen: ListenAddress[];
  passivePorts: { min: number; max: number };
  /** IP or hostname put in PASV replies; a hostname is resolved at each PASV. null = the control socket's local address. */
  externalAddress: string | null;
  /** Welcome banner; may hold several lines (sent as a multi-line 220). */
  banner: string;
  goodbye: string;
  /**
   * fsync every upload before its 226, so a power cut cannot take a file the client saw
   * complete (absent = true). False trades that for speed, as vsftpd and proftpd do.
   */
  syncUploads?: boolean;
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
