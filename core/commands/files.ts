// RFC 959 §4.1.3 (DELE, RNFR, RNTO, REST), RFC 3659 §3-§5 (MDTM, SIZE, REST STREAM),
// draft-somers-ftp-mfxx (MFMT).
import { Code } from "../codes.ts";
import { formatMdtm, parseMdtmTime } from "../list/format.ts";
import { reply, type Reply } from "../reply.ts";
import type { Session } from "../session.ts";
import { StorageError } from "../storage/types.ts";
import { authorize, guarded, pathOf, Refusal, storageOf } from "./access.ts";
import { logEvent } from "./dirs.ts";

export function DELE(s: Session, arg: string): Promise<Reply | void> {
  return guarded(async () => {
    const path = pathOf(s, arg);
    authorize(s, "delete", path);
    // A home under quota keeps its usage counted: it needs the size of what goes.
    const home = s.account!.home;
    const gone = s.server.quotas.tracks(home) ? await storageOf(s).stat(path).catch(() => null) : null;
    await storageOf(s).remove(path);
    if (gone?.type === "file") s.server.quotas.removed(home, gone.size);
    logEvent(s, "delete", path);
    s.server.host.notify("onFileEvent", { session: s.info(), action: "deleted", path });
    return reply(Code.FileActionOkay, "File deleted.");
  });
}

export function RNFR(s: Session, arg: string): Promise<Reply | void> {
  return guarded(async () => {
    const path = pathOf(s, arg);
    authorize(s, "rename", path);
    await storageOf(s).stat(path);
    if (path === "/") throw new Refusal(reply(Code.ActionNotTaken, "Permission denied."));
    s.renameFrom = path;
    return reply(Code.PendingFurtherInfo, "Ready for RNTO.");
  });
}

export function RNTO(s: Session, arg: string): Promise<Reply | void> {
  return guarded(async () => {
    const from = s.renameFrom;
    s.renameFrom = null;
    if (!from) return reply(Code.BadSequence, "Bad sequence of commands: RNFR first.");
    const to = pathOf(s, arg);
    authorize(s, "rename", to);
    if (to === from) return reply(Code.FileActionOkay, "Rename successful.");
    if (to.startsWith(from + "/")) return reply(Code.FileNameNotAllowed, "Cannot move a folder into itself.");
    // Renaming over an existing file would delete it: that needs the delete right too.
    const existing = await storageOf(s).stat(to).catch(() => null);
    if (existing) {
      if (existing.type === "dir") throw new StorageError("exists", to);
      authorize(s, "delete", to);
    }
    await storageOf(s).rename(from, to);
    if (existing?.type === "file") s.server.quotas.removed(s.account!.home, existing.size);
    logEvent(s, "rename", to, { from });
    s.server.host.notify("onFileEvent", { session: s.info(), action: "renamed", path: to, from });
    return reply(Code.FileActionOkay, "Rename successful.");
  });
}

export function SIZE(s: Session, arg: string): Promise<Reply | void> {
  return guarded(async () => {
    const path = pathOf(s, arg);
    authorize(s, "list", path);
    const entry = await storageOf(s).stat(path);
    if (entry.type !== "file") return reply(Code.ActionNotTaken, "Not a regular file.");
    // RFC 3659 §4: in TYPE A the size is the transfer size, which we do not compute; vsftpd and
    // proFTPd report the stored size, which is what every client expects.
    return reply(Code.FileStatus, String(entry.size));
  });
}

export function MDTM(s: Session, arg: string): Promise<Reply | void> {
  return guarded(async () => {
    const path = pathOf(s, arg);
    authorize(s, "list", path);
    const entry = await storageOf(s).stat(path);
    if (entry.type !== "file") return reply(Code.ActionNotTaken, "Not a regular file.");
    return reply(Code.FileStatus, formatMdtm(entry.mtime));
  });
}

/** MFMT YYYYMMDDHHMMSS path — sets the modification time (UTC). */
export function MFMT(s: Session, arg: string): Promise<Reply | void> {
  return guarded(async () => {
    const m = /^(\S+) (.+)$/.exec(arg);
    const when = m ? parseMdtmTime(m[1]!) : null;
    if (!m || !when) return reply(Code.SyntaxErrorArgs, "Syntax: MFMT YYYYMMDDHHMMSS path");
    const path = pathOf(s, m[2]!);
    authorize(s, "write", path);
    await storageOf(s).setMtime(path, when);
    return reply(Code.FileStatus, `Modify=${formatMdtm(when)}; ${path}`);
  });
}

/** REST n: the next RETR/STOR starts at byte n (RFC 3659 §5, stream mode). */
export function REST(s: Session, arg: string): Reply {
  const text = arg.trim();
  if (!/^\d{1,15}$/.test(text)) return reply(Code.SyntaxErrorArgs, "REST needs a byte offset.");
  s.restOffset = Number(text);
  return reply(Code.PendingFurtherInfo, `Restarting at ${s.restOffset}. Send STOR or RETR to initiate transfer.`);
}
