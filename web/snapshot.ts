import pkg from "../package.json" with { type: "json" };
import { plainAddress } from "../core/data/address.ts";
import type { FtpServer } from "../core/server.ts";
import type { Session } from "../core/session.ts";
import type { StatusContext } from "./context.ts";
import { ftpInfo, type FtpInfo } from "./ftp-info.ts";

/*
 * Plain JSON views of the live server: the API returns them as they are, and the pages render
 * them, so both always say the same thing.
 */

// Imported, not read at run time, so the compiled binary carries it.
export const VERSION: string = pkg.version;

export interface TransferProgress {
  direction: "download" | "upload" | "list";
  path: string;
  /** Where the transfer started in the file (REST). */
  offset: number;
  /** Bytes moved so far by this transfer. */
  bytes: number;
  /** File size for downloads, null when unknown (uploads, listings). */
  size: number | null;
  startedAt: string;
  bytesPerSecond: number;
  /** 0-100, null without a known size. */
  percent: number | null;
  etaSeconds: number | null;
}

export interface SessionView {
  id: string;
  remoteAddress: string;
  remotePort: number;
  user: string | null;
  anonymous: boolean;
  secure: boolean;
  connectedAt: string;
  /** Seconds since the client last sent anything; 0 while a transfer runs. */
  idleSeconds: number;
  currentCommand: string | null;
  transfer: TransferProgress | null;
}

export interface TransferView {
  session: string;
  user: string | null;
  remoteAddress: string;
  direction: "download" | "upload";
  path: string;
  bytes: number;
  ms: number;
  bytesPerSecond: number;
  outcome: "ok" | "aborted" | "error";
  at: string;
}

export interface PluginView {
  name: string;
  errors: number;
  /** Where its status panel is, when it mounted one. */
  panel: string | null;
}

export interface StatusView {
  version: string;
  startedAt: string;
  uptimeSeconds: number;
  listen: { host: string; port: number }[];
  /** Explicit FTPS (AUTH TLS), whether logins must use it, and the implicit-FTPS listen addresses. */
  tls: { enabled: boolean; required: boolean; implicit: { host: string; port: number }[] };
  externalAddress: string | null;
  passivePorts: { min: number; max: number; inUse: number };
  sessions: { current: number; maxClients: number; maxPerAddress: number; transferring: number };
  connectionsTotal: number;
  logins: { ok: number; failed: number };
  bytes: { in: number; out: number };
  transfers: { ok: number; aborted: number; error: number };
  plugins: PluginView[];
  ftp: FtpInfo;
}

export function sessionView(ctx: StatusContext, s: Session, now = Date.now()): SessionView {
  const t = s.transfer;
  let transfer: TransferProgress | null = null;
  if (t) {
    const bytesPerSecond = ctx.rates.rateOf(t);
    const done = t.offset + t.bytes;
    const known = t.direction === "download" && t.size !== null && t.size > 0;
    const left = known ? Math.max(0, t.size! - done) : null;
    transfer = {
      direction: t.direction,
      path: t.path,
      offset: t.offset,
      bytes: t.bytes,
      size: t.size,
      startedAt: new Date(t.startedAt).toISOString(),
      bytesPerSecond: Math.round(bytesPerSecond),
      percent: known ? Math.min(100, (done / t.size!) * 100) : null,
      etaSeconds: left !== null && bytesPerSecond > 0 ? Math.ceil(left / bytesPerSecond) : null,
    };
  }
  return {
    id: s.id,
    remoteAddress: plainAddress(s.remoteAddress),
    remotePort: s.remotePort,
    user: s.account?.name ?? null,
    anonymous: s.account?.anonymous ?? false,
    secure: s.secure,
    connectedAt: s.connectedAt.toISOString(),
    idleSeconds: t ? 0 : Math.max(0, Math.floor((now - s.lastActivity) / 1000)),
    currentCommand: s.currentCommand,
    transfer,
  };
}

/** Live sessions, oldest first. */
export function sessionViews(ctx: StatusContext): SessionView[] {
  const now = Date.now();
  return [...ctx.server.sessions].map((s) => sessionView(ctx, s, now));
}

/** The server's bounded list of finished transfers, newest first. */
export function transferViews(server: FtpServer): TransferView[] {
  return server.recentTransfers
    .map((t) => ({
      session: t.session,
      user: t.user,
      remoteAddress: plainAddress(t.remoteAddress),
      direction: t.direction,
      path: t.path,
      bytes: t.bytes,
      ms: t.ms,
      bytesPerSecond: t.ms > 0 ? Math.round((t.bytes * 1000) / t.ms) : 0,
      outcome: t.outcome,
      at: t.at.toISOString(),
    }))
    .reverse();
}

export function pluginViews(ctx: StatusContext): PluginView[] {
  const { host } = ctx.server;
  return host.list().map((p) => ({
    name: p.name,
    errors: host.errorCounts.get(p.name) ?? 0,
    panel: ctx.panels.has(p.name) ? `/plugins/${p.name}` : null,
  }));
}

/** `requestHost` is the host name the admin reached the page by, a hint for the FTP info block. */
export function statusView(ctx: StatusContext, requestHost: string | null): StatusView {
  const { server } = ctx;
  const { stats, options } = server;
  let transferring = 0;
  for (const s of server.sessions) if (s.transfer) transferring++;
  return {
    version: VERSION,
    startedAt: server.startedAt.toISOString(),
    uptimeSeconds: Math.floor((Date.now() - server.startedAt.getTime()) / 1000),
    listen: server.addresses(),
    tls: { enabled: options.tls.enabled, required: options.tls.enabled && options.tls.require, implicit: options.tls.implicit },
    externalAddress: options.externalAddress,
    passivePorts: { min: options.passivePorts.min, max: options.passivePorts.max, inUse: server.pool.used },
    sessions: {
      current: server.sessions.size,
      maxClients: options.limits.maxClients,
      maxPerAddress: options.limits.maxSessionsPerIp,
      transferring,
    },
    connectionsTotal: stats.connections,
    logins: { ok: stats.loginsOk, failed: stats.loginsFailed },
    bytes: { in: stats.bytesIn, out: stats.bytesOut },
    transfers: { ...stats.transfers },
    plugins: pluginViews(ctx),
    ftp: ftpInfo(server, requestHost, ctx.lanAddresses()),
  };
}
