import type net from "node:net";
import type tls from "node:tls";
import { tlsServerSocket } from "./session-tls.ts";

const handshakes = new WeakMap<net.Socket, Promise<void>>();
const HANDSHAKE_TIMEOUT_MS = 15_000;

/**
 * Makes a freshly connected data socket a TLS server socket right away: some clients start
 * their handshake the moment they connect, before they even send RETR, and must not wait on us.
 * Whether the handshake worked is asked later with handshakeOf().
 */
export function secureDataSocket(raw: net.Socket, context: tls.SecureContext): tls.TLSSocket {
  const secured = tlsServerSocket(raw, context, "data");
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("TLS handshake timed out")), HANDSHAKE_TIMEOUT_MS);
    timer.unref?.();
    secured.once("secure", () => {
      clearTimeout(timer);
      resolve();
    });
    secured.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    secured.once("close", () => {
      clearTimeout(timer);
      reject(new Error("data connection closed during the TLS handshake"));
    });
  });
  done.catch(() => {});
  secured.on("error", () => {});
  handshakes.set(secured, done);
  return secured;
}

export function handshakeOf(socket: net.Socket): Promise<void> | undefined {
  return handshakes.get(socket);
}
