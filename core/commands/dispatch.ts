import { Code } from "../codes.ts";
import { reply, type Reply } from "../reply.ts";
import type { Session } from "../session.ts";
import { COMMANDS } from "./table.ts";

export type Handler = (s: Session, arg: string) => Reply | void | Promise<Reply | void>;

export interface CommandSpec {
  handler: Handler;
  /** Refused with 530 before login. */
  login: boolean;
  /** Answered while a transfer runs (RFC 959 §4.1.3 lists ABOR, STAT; NOOP is harmless). */
  duringTransfer?: boolean;
  /** 501 when the argument is missing. */
  needsArg?: boolean;
  /** Shown by HELP <verb>: the RFC 959 syntax. */
  help: string;
}

export function isAllowedDuringTransfer(verb: string): boolean {
  return COMMANDS[verb]?.duringTransfer === true;
}

/** Looks the verb up, applies the login rule and the onCommand guards, runs the handler. */
export async function dispatch(s: Session, verb: string, arg: string): Promise<Reply | void> {
  const spec = Object.hasOwn(COMMANDS, verb) ? COMMANDS[verb] : undefined;
  if (s.server.options.log.events.includes("command")) {
    // The password never reaches a log, not even a wrong one (often a real password for elsewhere),
    // nor one a client separated from PASS with a tab (then it is part of the verb).
    const line = verb === "PASS" || /^PASS\s/.test(verb) ? "PASS ***" : `${verb} ${arg}`.trim();
    s.server.log.debug("command", { session: s.id, line });
  }
  if (!spec) return reply(Code.SyntaxError, `${sanitize(verb)} not understood.`);
  // RFC 959 §4.1.3: RNTO must come right after RNFR.
  if (verb !== "RNTO" && verb !== "RNFR") s.renameFrom = null;
  if (spec.login && !s.loggedIn) return reply(Code.NotLoggedIn, "Please log in with USER and PASS first.");
  if (spec.needsArg && arg.trim() === "") return reply(Code.SyntaxErrorArgs, `Syntax: ${spec.help}`);
  const denial = await s.server.host.guard("onCommand", {
    session: s.info(),
    verb,
    arg: verb === "PASS" ? "***" : arg,
  });
  if (denial) return { code: denial.code, lines: [denial.text], close: denial.close };
  if (s.closed) return;
  return spec.handler(s, arg);
}

function sanitize(verb: string): string {
  return verb.replace(/[^\x21-\x7e]/g, "?").slice(0, 32);
}
