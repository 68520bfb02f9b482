import { Code } from "../codes.ts";
import net from "node:net";
import tls from "node:tls";
import { sessionContext } from "../tls/session-tls.ts";
import { handshakeOf, secureDataSocket } from "../tls/data-channel.ts";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { TransferDirection, TransferOutcome } from "../hooks/types.ts";
import { reply, type Reply } from "../reply.ts";
import type { RunningTransfer, Session } from "../session.ts";
import { replyForStorageError } from "../storage/errors.ts";
import { StorageError } from "../storage/types.ts";
import { FromNetworkAscii, ToNetworkAscii } from "./ascii.ts";
import { noteTransferred } from "./garbage.ts";
import { ThrottledStream, type Throttle } from "./throttle.ts";

/** Thrown when no data connection could be had: the command answers `code` (425, or 521/522 for TLS policy). */
export class DataConnectionError extends Error {
  constructor(
    message: string,
    readonly code: number = Code.CantOpenData,
  ) {
    super(message);
  }
}

const CONNECT_TIMEOUT_MS = 15_000;
/** How long a client may keep its side of a data connection open after a download ended. */
const CLOSE_GRACE_MS = 10_000;

/**
 * The data connection prepared by PASV/EPSV (waiting for the client, whose address must be the
 * control peer's) or by PORT/EPRT (we connect out, from the control connection's local address).
 * The offer is consumed either way: a client sends PASV/PORT again before the next transfer.
 */
export async function openDataConnection(s: Session): Promise<net.Socket> {
  if (s.prot === "C" && s.tlsRequiredFor(s.account ?? undefined)) {
    throw new DataConnectionError("Policy requires protected data connections: send PBSZ 0 and PROT P.", Code.ProtSettingRefused);
  }
  const socket = await openRawDataConnection(s);
  // Under PROT P a passive socket is already a TLS server socket (see PASV); an active one
  // becomes one now. Its handshake is awaited by protectData(), after the 150 reply: most
  // clients (curl, ftplib) only start TLS once they have read it.
  return s.prot === "P" && !(socket instanceof tls.TLSSocket) ? secureDataSocket(socket, s.tlsContext!) : socket;
}

/**
 * RFC 4217 §7: under PROT P the data connection is TLS, with the FTP server as the TLS server
 * whoever opened the TCP connection. By default its session must resume the control
 * connection's, as vsftpd requires: proof that the data connection comes from the same client.
 * The session's TLS context has ticket keys and a session cache of its own (sessionContext), so
 * only a TLS session of this control connection resumes: another client's, even one from this
 * server and this IP address, makes a full handshake here and is refused.
 */
export async function protectData(s: Session, secured: net.Socket): Promise<net.Socket> {
  if (!(secured instanceof tls.TLSSocket)) return secured;
  try {
    await handshakeOf(secured);
  } catch (err) {
    secured.destroy();
    throw new DataConnectionError(`TLS handshake on the data connection failed: ${err instanceof Error ? err.message : String(err)}`, Code.CantOpenData);
  }
  if (s.server.options.tls.requireSessionReuse && !secured.isSessionReused()) {
    secured.destroy();
    // The full handshake just made may have handed its peer a session ticket in this session's
    // keys: whoever it is (maybe a client that took the passive port first), that ticket must
    // not resume on the next data connection. A new context voids every TLS session of this
    // session, the control connection's too, so a client refused here has to reconnect.
    if (s.tlsContext) s.tlsContext = sessionContext(s.tlsContext);
    s.server.log.warn("TLS data connection refused: it did not resume this session's TLS session", { session: s.id, ip: s.remoteAddress });
    throw new DataConnectionError("TLS session reuse required on the data connection; turn on session resumption in the client.", Code.TlsSessionReuseRequired);
  }
  return secured;
}

async function openRawDataConnection(s: Session): Promise<net.Socket> {
  const target = s.data;
  s.data = null;
  if (!target) throw new DataConnectionError("Use PORT or PASV first.");
  if (target.kind === "passive") {
    try {
      return await target.listener.connection(s.server.options.limits.passiveTimeoutMs);
    } catch {
      target.listener.close();
      throw new DataConnectionError("Can't open data connection.");
    }
  }
  return await new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect({ host: target.host, port: target.port, localAddress: s.localAddress || undefined });
    const timer = setTimeout(() => socket.destroy(new Error("timeout")), CONNECT_TIMEOUT_MS);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      socket.on("error", () => {});
      // Wrapped before the socket reads a byte: the client's ClientHello must reach TLS.
      resolve(s.prot === "P" ? secureDataSocket(socket, s.tlsContext!) : socket);
    });
    socket.once("error", () => {
      clearTimeout(timer);
      reject(new DataConnectionError("Can't open data connection."));
    });
  });
}

/**
 * Frees a data connection after a download or listing sent its last byte and its FIN. A passive
 * socket is accepted paused and a download never reads it, so the client's FIN would go unseen
 * and the socket would stay open for good: read (and drop) what comes until it closes, or cut it
 * after a grace period if the client keeps its side open.
 */
export function releaseAfterSending(socket: net.Socket): void {
  if (socket.destroyed) return;
  const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
  timer.unref?.();
  socket.once("close", () => clearTimeout(timer));
  socket.resume();
}

export interface TransferPlan {
  direction: TransferDirection | "list";
  path: string;
  offset: number;
  size: number | null;
}

/**
 * Runs a transfer in the background so that ABOR, STAT and NOOP are answered meanwhile. `work`
 * resolves with the closing reply (226, 426, or a mapped storage error); it is sent when the
 * transfer ends, and the command queue resumes after it.
 */
export function startTransfer(
  s: Session,
  plan: TransferPlan,
  work: (t: RunningTransfer) => Promise<{ reply: Reply; outcome: TransferOutcome }>,
): void {
  let finish!: () => void;
  const t: RunningTransfer = {
    ...plan,
    bytes: 0,
    startedAt: Date.now(),
    progressAt: Date.now(),
    progressBytes: 0,
    abort: new AbortController(),
    done: new Promise<void>((r) => (finish = r)),
  };
  s.transfer = t;
  void (async () => {
    let result: { reply: Reply; outcome: TransferOutcome };
    try {
      result = await work(t);
    } catch (err) {
      s.server.log.error("transfer failed", { session: s.id, error: err instanceof Error ? err.stack : String(err) });
      result = { reply: reply(Code.LocalError, "Requested action aborted: local error in processing."), outcome: "error" };
    }
    s.transfer = null;
    s.currentCommand = null;
    s.lastActivity = Date.now();
    s.send(result.reply);
    if (plan.direction !== "list") {
      s.server.transferFinished({
        session: s.id,
        user: s.account?.name ?? null,
        remoteAddress: s.remoteAddress,
        direction: plan.direction,
        path: plan.path,
        bytes: t.bytes,
        ms: Date.now() - t.startedAt,
        outcome: result.outcome,
        at: new Date(),
        type: s.type,
        anonymous: s.account?.anonymous ?? false,
      });
      s.server.host.notify("onTransferEnd", {
        session: s.info(),
        direction: plan.direction,
        path: plan.path,
        offset: plan.offset,
        bytes: t.bytes,
        ms: Date.now() - t.startedAt,
        outcome: result.outcome,
      });
    }
    finish();
  })();
}

/**
 * Streams `source` to the data socket (file → client), converting line ends in TYPE A, paced
 * by `throttle` when there is one.
 */
export async function sendData(s: Session, t: RunningTransfer, socket: net.Socket, source: Readable, throttle: Throttle | null = null): Promise<void> {
  source.on("data", (c: Buffer) => {
    t.bytes += c.length;
  });
  // The throttle sits next to the socket in both directions: the limit is on bytes on the wire.
  const stages: (Readable | Writable)[] = [source];
  if (s.type === "A") stages.push(new ToNetworkAscii());
  if (throttle) stages.push(new ThrottledStream(throttle));
  stages.push(socket);
  await pipeline(stages as [Readable, Writable], { signal: t.abort.signal });
}

/**
 * Streams the data socket into `sink` (client → file), converting line ends in TYPE A, paced
 * by `throttle` when there is one: the socket is then read only as fast as the limit allows.
 */
export async function receiveData(s: Session, t: RunningTransfer, socket: net.Socket, sink: Writable, throttle: Throttle | null = null): Promise<void> {
  socket.on("data", (c: Buffer) => {
    t.bytes += c.length;
    noteTransferred(c.length);
  });
  const stages: (Readable | Writable)[] = [socket];
  if (throttle) stages.push(new ThrottledStream(throttle));
  if (s.type === "A") stages.push(new FromNetworkAscii());
  stages.push(sink);
  await pipeline(stages as [Readable, Writable], { signal: t.abort.signal });
}

/** The closing reply for a transfer that threw: ABOR, a lost data connection, or storage. */
export function transferFailure(t: RunningTransfer, err: unknown): { reply: Reply; outcome: TransferOutcome } {
  if (t.abort.signal.aborted) return { reply: reply(Code.TransferAborted, "Connection closed; transfer aborted."), outcome: "aborted" };
  if (err instanceof DataConnectionError) return { reply: reply(err.code, err.message), outcome: "error" };
  const storageErr = asStorageError(err);
  if (storageErr) {
    const r = replyForStorageError(storageErr, "transfer");
    return { reply: reply(r.code, r.text), outcome: "error" };
  }
  return { reply: reply(Code.TransferAborted, "Connection closed; transfer aborted."), outcome: "aborted" };
}

/** A file-system errno surfacing from a stream, seen as the storage error it is. */
export function asStorageError(err: unknown): StorageError | null {
  if (err instanceof StorageError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === "ENOSPC" || code === "EDQUOT") return new StorageError("no-space", "no space left");
  if (code === "EIO" || code === "EROFS") return new StorageError("io", code);
  if (code === "EACCES" || code === "EPERM") return new StorageError("denied", code);
  return null;
}
