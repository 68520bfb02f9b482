// RFC 959 §4.1.2 (PORT, PASV) and RFC 2428 (EPRT, EPSV): preparing the data connection.
import { Code } from "../codes.ts";
import net from "node:net";
import { encodeHostPort, parseEprt, parseHostPort, plainAddress, sameAddress } from "../data/address.ts";
import { PassiveListener } from "../data/passive.ts";
import { secureDataSocket } from "../tls/data-channel.ts";
import { reply, type Reply } from "../reply.ts";
import type { Session } from "../session.ts";

async function offerPassive(s: Session): Promise<PassiveListener | Reply> {
  s.clearData();
  const host = plainAddress(s.localAddress) || "0.0.0.0";
  if (!s.passivePort?.reusableFor(host)) {
    s.passivePort?.close();
    s.passivePort = await s.server.pool.listen(host);
    // The session may have ended while the port was being opened.
    if (s.closed) s.passivePort?.close();
  }
  if (!s.passivePort || s.passivePort.closed) return reply(Code.CantOpenData, "No passive port free; try again shortly.");
  const listener = new PassiveListener(
    s.passivePort,
    s.remoteAddress,
    s.server.options.limits.passiveTimeoutMs,
    (foreign) => s.server.log.warn("data connection from a foreign address refused", { session: s.id, ip: s.remoteAddress, foreign }),
    s.prot === "P" && s.tlsContext ? (raw) => secureDataSocket(raw, s.tlsContext!) : undefined,
    s.account?.fxp === true,
  );
  s.data = { kind: "passive", listener };
  return listener;
}

export async function PASV(s: Session): Promise<Reply> {
  if (s.epsvAll) return reply(Code.BadSequence, "PASV not allowed after EPSV ALL.");
  const address = await s.server.passiveAddressFor(s);
  if (!net.isIPv4(address)) return reply(Code.CantOpenData, "PASV needs an IPv4 address; use EPSV.");
  const offer = await offerPassive(s);
  if (!(offer instanceof PassiveListener)) return offer;
  return reply(Code.EnteringPassive, `Entering Passive Mode (${encodeHostPort(address, offer.port)}).`);
}

export async function EPSV(s: Session, arg: string): Promise<Reply> {
  const a = arg.trim().toUpperCase();
  if (a === "ALL") {
    s.epsvAll = true;
    return reply(Code.CommandOkay, "EPSV ALL ok: only EPSV from now on.");
  }
  const family = net.isIPv6(plainAddress(s.localAddress)) ? "2" : "1";
  if (a !== "" && a !== family) {
    return reply(Code.NetworkProtocolNotSupported, `Network protocol not supported, use (${family}).`);
  }
  const offer = await offerPassive(s);
  if (!(offer instanceof PassiveListener)) return offer;
  return reply(Code.EnteringExtendedPassive, `Entering Extended Passive Mode (|||${offer.port}|).`);
}

/** The FTP bounce attack (RFC 2577 §3): data goes only to the control peer, on a port ≥ 1024. */
function activeTargetRefusal(s: Session, host: string, port: number): Reply | null {
  if (port < 1024) return reply(Code.NotImplementedForParam, "Refusing to connect to a privileged port.");
  if (!sameAddress(host, s.remoteAddress) && !s.account?.fxp) {
    return reply(Code.NotImplementedForParam, "Refusing to connect to an address other than yours.");
  }
  return null;
}

export function PORT(s: Session, arg: string): Reply {
  if (s.epsvAll) return reply(Code.BadSequence, "PORT not allowed after EPSV ALL.");
  const target = parseHostPort(arg);
  if (!target) return reply(Code.SyntaxErrorArgs, "Syntax: PORT h1,h2,h3,h4,p1,p2");
  if (net.isIPv6(plainAddress(s.remoteAddress)) && !s.account?.fxp) return reply(Code.NetworkProtocolNotSupported, "Network protocol not supported, use (2).");
  const refusal = activeTargetRefusal(s, target.host, target.port);
  if (refusal) return refusal;
  s.clearData();
  s.data = { kind: "active", host: target.host, port: target.port };
  return reply(Code.CommandOkay, "PORT command successful. Consider using PASV.");
}

export function EPRT(s: Session, arg: string): Reply {
  if (s.epsvAll) return reply(Code.BadSequence, "EPRT not allowed after EPSV ALL.");
  const target = parseEprt(arg);
  if (target === "bad-family") return reply(Code.NetworkProtocolNotSupported, "Network protocol not supported, use (1,2).");
  if (!target) return reply(Code.SyntaxErrorArgs, "Syntax: EPRT |proto|address|port|");
  const refusal = activeTargetRefusal(s, target.host, target.port);
  if (refusal) return refusal;
  s.clearData();
  s.data = { kind: "active", host: target.host, port: target.port };
  return reply(Code.CommandOkay, "EPRT command successful.");
}
