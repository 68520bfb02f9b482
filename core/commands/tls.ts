// RFC 4217 (FTP over TLS) on RFC 2228's security commands: AUTH, PBSZ, PROT, CCC.
import { Code } from "../codes.ts";
import { reply, type Reply } from "../reply.ts";
import type { Session } from "../session.ts";

export function AUTH(s: Session, arg: string): Reply | void {
  const mechanism = arg.trim().toUpperCase();
  const credentials = s.server.tls;
  if (!credentials) return reply(Code.NotImplemented, "TLS is not enabled on this server.");
  // TLS-C / SSL are the older names some clients still send (RFC 4217 §4 mentions them).
  if (!["TLS", "TLS-C", "SSL", "TLS-P"].includes(mechanism)) return reply(Code.NotImplementedForParam, `Security mechanism ${mechanism.slice(0, 16)} not supported; use AUTH TLS.`);
  if (s.secure) return reply(Code.BadSequence, "The connection is already protected.");
  if (s.loggedIn) return reply(Code.BadSequence, "AUTH must come before login.");
  if (mechanism === "TLS-P") s.prot = "P";
  s.upgradeToTls(credentials.context);
}

export function PBSZ(s: Session, arg: string): Reply {
  if (!s.secure) return reply(Code.BadSequence, "PBSZ needs AUTH TLS first.");
  if (!/^\d+$/.test(arg.trim())) return reply(Code.SyntaxErrorArgs, "Syntax: PBSZ 0");
  s.pbsz = true;
  // §8: TLS does its own buffering; the only size a server can accept is 0.
  return reply(Code.CommandOkay, "PBSZ=0");
}

/**
 * RFC 4217 §9 has PBSZ before PROT, but a missing PBSZ is taken as PBSZ 0, the only size TLS
 * has. vsftpd does the same (its handle_prot asks only for a TLS control connection), and
 * clients count on it: Python's FTP_TLS.prot_c() sends PROT C alone.
 */
export function PROT(s: Session, arg: string): Reply {
  if (!s.secure) return reply(Code.BadSequence, "PROT needs AUTH TLS first.");
  const level = arg.trim().toUpperCase();
  if (level === "P") {
    s.pbsz = true;
    s.prot = "P";
    return reply(Code.CommandOkay, "Data connections will be protected (PROT P).");
  }
  if (level === "C") {
    if (s.tlsRequiredFor(s.account ?? undefined)) return reply(Code.PolicyRequiresTls, "Policy requires protected data connections (PROT P).");
    s.pbsz = true;
    s.prot = "C";
    return reply(Code.CommandOkay, "Data connections will be clear (PROT C).");
  }
  if (level === "S" || level === "E") return reply(Code.ProtLevelNotSupported, `PROT ${level} not supported; use P or C.`);
  return reply(Code.NotImplementedForParam, "Syntax: PROT P | C");
}

/** Dropping back to a clear control connection would expose the next password: refused (§11). */
export function CCC(): Reply {
  return reply(Code.PolicyRequiresTls, "CCC refused: the control connection stays protected.");
}
