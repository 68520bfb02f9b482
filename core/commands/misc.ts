// RFC 959 §4.1.2-§4.1.3 (TYPE, MODE, STRU, ALLO, NOOP, SYST, HELP, SITE), RFC 2389 (FEAT, OPTS),
// RFC 2640 §3.1 (OPTS UTF8), RFC 3659 §7.9 (OPTS MLST), draft-bryan-ftpext-hash (OPTS HASH),
// CLNT (informal, sent by FileZilla et al.).
import { Code } from "../codes.ts";
import { reply, type Reply } from "../reply.ts";
import type { Session } from "../session.ts";
import { PluginTimeout } from "../hooks/host.ts";
import type { ReadOnlyFiles, SiteAnswer } from "../hooks/types.ts";
import { StorageError } from "../storage/types.ts";
import { parentOf } from "../storage/virtual-path.ts";
import { hashFeature, optsHash } from "./hash.ts";
import { COMMANDS } from "./table.ts";

export function NOOP(): Reply {
  return reply(Code.CommandOkay, "NOOP ok.");
}

export function SYST(): Reply {
  // What clients key their LIST parser on; every Unix server answers this.
  return reply(Code.SystemType, "UNIX Type: L8");
}

/** TYPE A [N], TYPE I, TYPE L 8 — RFC 959 §3.1.1; other forms and formats are 504. */
export function TYPE(s: Session, arg: string): Reply {
  const a = arg.trim().toUpperCase().replace(/\s+/g, " ");
  if (a === "A" || a === "A N") {
    s.type = "A";
    return reply(Code.CommandOkay, "Type set to A.");
  }
  if (a === "I" || a === "L 8") {
    s.type = "I";
    return reply(Code.CommandOkay, `Type set to ${a === "I" ? "I" : "L 8"}.`);
  }
  if (/^(A [TC]|E( [NTC])?|L \d+)$/.test(a)) return reply(Code.NotImplementedForParam, `Type ${a} not implemented.`);
  return reply(Code.SyntaxErrorArgs, "Syntax: TYPE A | I | L 8");
}

export function MODE(_s: Session, arg: string): Reply {
  const a = arg.trim().toUpperCase();
  if (a === "S") return reply(Code.CommandOkay, "Mode set to S.");
  if (a === "B" || a === "C" || a === "Z") return reply(Code.NotImplementedForParam, `Mode ${a} not implemented.`);
  return reply(Code.SyntaxErrorArgs, "Syntax: MODE S");
}

export function STRU(_s: Session, arg: string): Reply {
  const a = arg.trim().toUpperCase();
  if (a === "F") return reply(Code.CommandOkay, "Structure set to F.");
  if (a === "R" || a === "P") return reply(Code.NotImplementedForParam, `Structure ${a} not implemented.`);
  return reply(Code.SyntaxErrorArgs, "Syntax: STRU F");
}

export function ALLO(): Reply {
  return reply(Code.Superfluous, "No storage allocation necessary.");
}

/** RFC 2389 §3: one feature per line, each indented by a space. */
export function FEAT(s: Session): Reply {
  const facts = ["type", "size", "modify", "perm", "unique"].map((f) => `${f}${s.mlstFacts.has(f) ? "*" : ""};`).join("");
  const tls = s.server.tls ? ["AUTH TLS", "PBSZ", "PROT"] : [];
  const features = [...tls, "CLNT", "EPRT", "EPSV", hashFeature(s), "MDTM", "MFMT", `MLST ${facts}`, "REST STREAM", "SIZE", "TVFS", "UTF8", "XCRC", "XMD5", "XSHA1", "XSHA256"];
  return reply(Code.SystemStatus, "Features:", ...features.map((f) => ` ${f}`), "End");
}

export function OPTS(s: Session, arg: string): Reply {
  const [name = "", ...rest] = arg.trim().split(/\s+/);
  const option = name.toUpperCase();
  const value = rest.join(" ");
  if (option === "UTF8") {
    const v = value.toUpperCase();
    if (v === "ON" || v === "") {
      s.utf8 = true;
      return reply(Code.CommandOkay, "UTF8 mode enabled.");
    }
    // Names are UTF-8 on disk; turning it off would only garble them.
    if (v === "OFF") return reply(Code.NotImplementedForParam, "UTF8 cannot be turned off.");
    return reply(Code.SyntaxErrorArgs, "Syntax: OPTS UTF8 ON");
  }
  if (option === "MLST") {
    const known = new Set(["type", "size", "modify", "perm", "unique"]);
    const chosen = value.split(";").map((f) => f.trim().toLowerCase()).filter((f) => known.has(f));
    s.mlstFacts = new Set(chosen);
    return reply(Code.CommandOkay, `MLST OPTS ${chosen.map((f) => `${f};`).join("")}`);
  }
  if (option === "HASH") return optsHash(s, value);
  return reply(Code.SyntaxErrorArgs, `Option ${option || "(none)"} not understood.`);
}

export function CLNT(s: Session, arg: string): Reply {
  s.clientName = arg.trim().slice(0, 128) || null;
  return reply(Code.CommandOkay, "Noted.");
}

export function HELP(s: Session, arg: string): Reply {
  const verb = arg.trim().toUpperCase();
  if (verb) {
    if (verb === "SITE") return siteHelp(s);
    const spec = Object.hasOwn(COMMANDS, verb) ? COMMANDS[verb] : undefined;
    return spec ? reply(Code.HelpMessage, `Syntax: ${spec.help}`) : reply(Code.NotImplemented, `Unknown command ${verb.slice(0, 32)}.`);
  }
  const verbs = Object.keys(COMMANDS).sort();
  const rows: string[] = [];
  for (let i = 0; i < verbs.length; i += 8) rows.push(" " + verbs.slice(i, i + 8).map((v) => v.padEnd(5)).join(" "));
  return reply(Code.HelpMessage, "The following commands are recognized:", ...rows, "Direct comments to the administrator.");
}

function siteHelp(s: Session): Reply {
  const lines = [...s.server.host.siteCommands.values()].map((c) => ` ${c.verb.padEnd(10)} ${c.help}`);
  return reply(Code.HelpMessage, "SITE commands:", " HELP       this list", ...lines, "End.");
}

/** SITE <verb> [arg]: dispatched to the SITE registry that plugins add to. */
export async function SITE(s: Session, arg: string): Promise<Reply> {
  const trimmed = arg.trim();
  const sp = trimmed.indexOf(" ");
  const verb = (sp < 0 ? trimmed : trimmed.slice(0, sp)).toUpperCase();
  const rest = sp < 0 ? "" : trimmed.slice(sp + 1);
  if (verb === "" || verb === "HELP") return siteHelp(s);
  const command = s.server.host.siteCommands.get(verb);
  if (!command) return reply(Code.SyntaxError, `SITE ${verb.slice(0, 32)} not understood.`);
  try {
    // Within the plugin time budget: a handler that hangs costs its session one 451, not the session.
    const answer = await s.server.host.site(command, {
      session: s.info(),
      arg: rest,
      cwd: s.cwd,
      files: s.storage ? visibleFiles(s) : null,
    });
    return siteReply(answer);
  } catch (err) {
    s.server.host.fault(command.plugin, `site ${verb}`, err);
    if (err instanceof PluginTimeout) return reply(Code.LocalError, `SITE ${verb} did not answer in time.`);
    return reply(Code.LocalError, `SITE ${verb} failed.`);
  }
}

/** The session's files as the user may see them: a SITE command must not list what LIST would refuse. */
function visibleFiles(s: Session): ReadOnlyFiles {
  const storage = s.storage!;
  const permissions = s.permissions!;
  return {
    stat: (path) => (permissions.can("list", parentOf(path)) || permissions.can("list", path) ? storage.stat(path) : Promise.reject(new StorageError("denied", path))),
    list: (path) => (permissions.can("list", path) ? storage.list(path) : Promise.reject(new StorageError("denied", path))),
  };
}

function siteReply(answer: SiteAnswer): Reply {
  if (typeof answer === "string") return reply(Code.CommandOkay, answer);
  if (Array.isArray(answer)) return answer.length > 1 ? reply(Code.CommandOkay, ...answer) : reply(Code.CommandOkay, answer[0] ?? "");
  return { code: answer.code, lines: answer.lines.length ? answer.lines : [""] };
}
