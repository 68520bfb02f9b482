import type { FtpServer } from "../core/server.ts";
import type { AdminCredentials } from "./auth/admin-credentials.ts";
import type { AdminSession, AdminSessionLimits, AdminSessions } from "./auth/admin-sessions.ts";
import type { LoginThrottle, ThrottleLimits } from "./auth/login-throttle.ts";
import type { TransferRates } from "./transfer-rate.ts";

/** What a runtime adapter hands to the app with each request. */
export interface WebBindings {
  /** The client's IP address, for the login throttle and the autoban hook. */
  remoteAddress?: string;
}

/** Who made a request, once the admin check passed. */
export type Caller =
  | { via: "cookie"; session: AdminSession }
  | { via: "basic" }
  | { via: "bearer" };

export type StatusEnv = {
  Bindings: WebBindings;
  Variables: { caller: Caller };
};

export interface StatusAppOptions {
  /** scrypt hash of the admin password (see resolveAdminPassword). */
  adminPasswordHash: string;
  /** Bearer token /metrics accepts; default: the config's web.metricsToken. */
  metricsToken?: string | null;
  /** Aborting it ends the live streams, so the web server can close. */
  signal?: AbortSignal;
  /** How often live pages get fresh data; default 1000 ms. */
  liveIntervalMs?: number;
  throttle?: Partial<ThrottleLimits>;
  adminSessions?: Partial<AdminSessionLimits>;
  /** This machine's LAN addresses for the FTP info block; default: from the network interfaces. */
  lanAddresses?: string[];
}

/** Everything the routes share. */
export interface StatusContext {
  server: FtpServer;
  adminSessions: AdminSessions;
  credentials: AdminCredentials;
  throttle: LoginThrottle;
  rates: TransferRates;
  metricsToken: string | null;
  liveIntervalMs: number;
  signal: AbortSignal;
  lanAddresses: () => string[];
  /** Plugins whose panel mounted, by name. */
  panels: Set<string>;
}
