import type { PermissionTable } from "./auth/permissions.ts";
import type { Account } from "./auth/types.ts";
import type { ServerOptions } from "./config/types.ts";
import type { PassivePortPool } from "./data/passive.ts";
import type { PluginHost } from "./hooks/host.ts";
import type { Logger } from "./log/logger.ts";
import type { XferLog } from "./log/xferlog.ts";
import type { Session } from "./session.ts";
import type { Storage } from "./storage/types.ts";
import type { VerifiedLogins } from "./auth/verified-logins.ts";
import type { TlsCredentials } from "./tls/credentials.ts";
import type { TransferRates } from "./data/throttle.ts";
import type { HomeUsage } from "./storage/quota.ts";
import type { TransferDirection, TransferOutcome } from "./hooks/types.ts";

/** Counters since start, for the status page and /metrics. */
export interface ServerStats {
  connections: number;
  loginsOk: number;
  loginsFailed: number;
  bytesIn: number;
  bytesOut: number;
  transfers: Record<TransferOutcome, number>;
}

export interface FinishedTransfer {
  session: string;
  user: string | null;
  remoteAddress: string;
  direction: TransferDirection;
  path: string;
  bytes: number;
  ms: number;
  outcome: TransferOutcome;
  at: Date;
  /** TYPE and login kind, kept here: the session may be gone when the transfer ends. */
  type: "A" | "I";
  anonymous: boolean;
}

/** What a session needs from the server that owns it. */
export interface ServerContext {
  readonly options: ServerOptions;
  readonly log: Logger;
  readonly host: PluginHost;
  readonly pool: PassivePortPool;
  /** Logins scrypt already verified, so reconnecting clients cost no second hash. */
  readonly verifiedLogins: VerifiedLogins;
  readonly stats: ServerStats;
  /** Open once the server listens. */
  readonly xferlog: XferLog | null;
  /** FTPS credentials, when TLS is enabled. */
  readonly tls: TlsCredentials | null;
  /** Upload and download rate limits: the server's token buckets and each user's. */
  readonly rates: TransferRates;
  /** Disk usage of the homes that have a quota. */
  readonly quotas: HomeUsage;
  findAccount(name: string): Account | undefined;
  /** Destroys `socket` (already ended) in a while if its peer keeps it open; one timer for all. */
  linger(socket: import("node:net").Socket): void;
  storageFor(account: Account): Storage;
  permissionsFor(account: Account): PermissionTable;
  sessionsOf(account: string): number;
  /** The address to put in a PASV/EPSV reply for this session. */
  passiveAddressFor(session: Session): Promise<string>;
  transferFinished(t: FinishedTransfer): void;
  sessionEnded(session: Session, reason: string): void;
}
