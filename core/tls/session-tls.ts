import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import type net from "node:net";
import tls from "node:tls";

/**
 * How long a TLS session stays resumable. Sessions are private to one control connection (see
 * sessionContext) and die with it, so a long life costs nothing; a short one would make a client
 * that resumes the control connection's session (ftplib, curl, basic-ftp) fail every transfer
 * once the connection is older than that (OpenSSL's default is 2 hours). 7 days: TLS 1.3's cap.
 */
const SESSION_LIFETIME_S = 7 * 24 * 3600;
/** TLS 1.2 sessions kept per control connection, for clients that resume by session id. */
const CACHED_SESSIONS = 8;

/** What a context was made from, and the session-id cache of the control connection it serves. */
interface ContextInfo {
  pair: { cert: Buffer; key: Buffer };
  /** TLS 1.2 sessions (by id, hex) made by the control connection: what its data connections may resume. */
  sessions: Map<string, Buffer>;
  /** Stands in for a tls.Server: Node asks it for sessions by id ('resumeSession') and hands it new ones ('newSession'). */
  control: EventEmitter;
  data: EventEmitter;
}

const contexts = new WeakMap<tls.SecureContext, ContextInfo>();

/** A context for `pair`, with session-ticket keys of its own. */
export function makeContext(pair: { cert: Buffer; key: Buffer }): tls.SecureContext {
  const context = tls.createSecureContext({ ...pair, minVersion: "TLSv1.2", ticketKeys: randomBytes(48), sessionTimeout: SESSION_LIFETIME_S });
  const sessions = new Map<string, Buffer>();
  const resume = (id: Buffer, callback: (err: Error | null, session: Buffer | null) => void) => callback(null, sessions.get(id.toString("hex")) ?? null);
  const control = new EventEmitter();
  control.on("resumeSession", resume);
  control.on("newSession", (id: Buffer, session: Buffer, done: () => void) => {
    sessions.set(id.toString("hex"), session);
    for (const old of sessions.keys()) {
      if (sessions.size <= CACHED_SESSIONS) break;
      sessions.delete(old);
    }
    done();
  });
  // A data connection resumes the control connection's sessions, and adds none: a full
  // handshake there is refused when reuse is required, and must leave nothing to resume later.
  const data = new EventEmitter();
  data.on("resumeSession", resume);
  data.on("newSession", (_id: Buffer, _session: Buffer, done: () => void) => done());
  contexts.set(context, { pair, sessions, control, data });
  return context;
}

/**
 * A context for one control connection and its data connections: the certificate and key of
 * `context`, with session-ticket keys and a TLS 1.2 session cache of its own. Only a TLS session
 * this control connection started (or a data connection resumed) can then be resumed on its data
 * connections: another client's session, even from this server and this address, does not
 * decrypt or is not found, and the "reuse required" check (vsftpd's require_ssl_reuse) proves
 * that the data connection comes from the client that logged in. vsftpd gets the same from its
 * process, and SSL_CTX, per session.
 *
 * Given a session's context, makes a fresh one: that session's earlier TLS sessions are void.
 */
export function sessionContext(context: tls.SecureContext): tls.SecureContext {
  const info = contexts.get(context);
  if (!info) throw new Error("TLS context not made by makeContext");
  return makeContext(info.pair);
}

/** The server side of a control (or data) connection under `context` from sessionContext(). */
export function tlsServerSocket(raw: net.Socket, context: tls.SecureContext, role: "control" | "data"): tls.TLSSocket {
  const info = contexts.get(context);
  // `server` is what Node asks for TLS 1.2 sessions by id (curl resumes that way: it turns
  // session tickets off); it is only ever used as an event emitter.
  const server = info ? (info[role] as unknown as net.Server) : undefined;
  return new tls.TLSSocket(raw, { isServer: true, secureContext: context, server });
}
