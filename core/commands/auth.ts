// RFC 959 §4.1.1: access control commands — USER, PASS, ACCT, REIN, QUIT.
import { Code } from "../codes.ts";
import { AddressMatcher } from "../auth/address-filter.ts";
import { randomBytes } from "node:crypto";
import { hashPassword, verifyPassword } from "../auth/password.ts";
import type { Account } from "../auth/types.ts";
import { reply, type Reply } from "../reply.ts";
import type { Session } from "../session.ts";

export function USER(s: Session, arg: string): Reply {
  if (s.loggedIn) {
    // A new USER starts a new login, as vsftpd and FileZilla allow after REIN; refuse mid-session.
    return reply(Code.NotLoggedIn, "Already logged in; use REIN to change user.");
  }
  const name = arg.trim();
  const account = s.server.findAccount(name);
  if (!s.secure && s.tlsRequiredFor(account)) {
    // Refused before the password crosses the network in the clear.
    return reply(Code.PolicyRequiresTls, "Policy requires TLS for this login: use AUTH TLS first.");
  }
  s.pendingUser = name;
  if (account?.anonymous) return reply(Code.NeedPassword, "Anonymous login ok, send your e-mail address as password.");
  // The same answer for unknown users, so names cannot be probed.
  return reply(Code.NeedPassword, `Password required for ${name}.`);
}

export async function PASS(s: Session, arg: string): Promise<Reply | void> {
  if (s.loggedIn) return reply(Code.LoggedIn, "Already logged in.");
  const name = s.pendingUser;
  if (name === null) return reply(Code.BadSequence, "Login with USER first.");
  s.pendingUser = null;
  const denial = await s.server.host.guard("onLogin", { session: s.info(), user: name });
  if (s.closed) return;
  if (denial) {
    loginResult(s, name, false, "denied");
    return { code: denial.code, lines: [denial.text], close: denial.close };
  }
  const account = s.server.findAccount(name);
  const failure = await checkLogin(s, account, arg);
  if (s.closed) return;
  if (failure) return refuse(s, name, failure);
  const limit = account!.maxSessions || s.server.options.limits.maxSessionsPerUser;
  if (limit > 0 && s.server.sessionsOf(account!.name) >= limit) {
    loginResult(s, name, false, "limit");
    return { code: Code.ServiceNotAvailable, lines: ["Too many users logged in to the same account; try again later."], close: true };
  }
  s.account = account!;
  s.storage = s.server.storageFor(account!);
  s.permissions = s.server.permissionsFor(account!);
  s.cwd = "/";
  s.loginFailures = 0;
  loginResult(s, account!.name, true);
  return reply(Code.LoggedIn, account!.anonymous ? "Anonymous access granted, restrictions apply." : `User ${account!.name} logged in.`);
}

async function checkLogin(s: Session, account: Account | undefined, password: string): Promise<string | null> {
  if (!account) {
    // Spend about as long as a real check, so timing does not tell which names exist.
    await verifyPassword(password, await dummyHash());
    return "unknown-user";
  }
  if (!account.enabled) return "disabled";
  if (!new AddressMatcher(account.ipFilter).allows(s.remoteAddress)) return "address";
  if (account.anonymous) return null;
  if (!account.passwordHash || !(await s.server.verifiedLogins.verify(account.name, password, account.passwordHash))) return "bad-password";
  return null;
}

function refuse(s: Session, name: string, reason: string): Reply {
  s.loginFailures++;
  loginResult(s, name, false, reason);
  const max = s.server.options.limits.maxLoginFailures;
  if (max > 0 && s.loginFailures >= max) return { code: Code.NotLoggedIn, lines: ["Login incorrect; too many failures, goodbye."], close: true };
  return reply(Code.NotLoggedIn, "Login incorrect.");
}

function loginResult(s: Session, user: string, ok: boolean, reason?: string): void {
  if (ok) s.server.stats.loginsOk++;
  else s.server.stats.loginsFailed++;
  if (s.server.options.log.events.includes("login")) {
    const fields = { session: s.id, ip: s.remoteAddress, user, ...(reason ? { reason } : {}) };
    if (ok) s.server.log.info("login ok", fields);
    else s.server.log.warn("login failed", fields);
  }
  s.server.host.notify("onLoginResult", { session: s.info(), user, ok, ...(reason ? { reason } : {}) });
}

export function ACCT(): Reply {
  return reply(Code.NotImplemented, "ACCT not implemented; no account is needed.");
}

export function REIN(s: Session): Reply {
  s.logout();
  return reply(Code.ServiceReady, "Service ready for new user.");
}

export function QUIT(s: Session): Reply {
  return { code: Code.ClosingControl, lines: [s.server.options.goodbye || "Goodbye."], close: true };
}

// A hash of a random password, made once: unknown users are checked against it.
let dummy: Promise<string> | null = null;
function dummyHash(): Promise<string> {
  return (dummy ??= hashPassword(randomBytes(12).toString("hex")));
}
