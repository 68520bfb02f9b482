// RFC 959 §4.1.1 (CWD, CDUP) and §4.1.3 (PWD, MKD, RMD); the X-forms are RFC 775.
import { Code } from "../codes.ts";
import { quotePath, reply, type Reply } from "../reply.ts";
import type { Session } from "../session.ts";
import { StorageError } from "../storage/types.ts";
import { authorize, guarded, pathOf, storageOf } from "./access.ts";

export function PWD(s: Session): Reply {
  return reply(Code.PathCreated, `${quotePath(s.cwd)} is the current directory.`);
}

export function CWD(s: Session, arg: string): Promise<Reply | void> {
  return guarded(async () => {
    const path = pathOf(s, arg);
    const entry = await storageOf(s).stat(path);
    if (entry.type !== "dir") throw new StorageError("not-a-directory", path);
    // Entering a folder needs some right on it: an upload-only drop box may be entered.
    if (s.permissions!.rightsFor(path).size === 0) return reply(Code.ActionNotTaken, "Permission denied.");
    s.cwd = path;
    logEvent(s, "cwd", path);
    return reply(Code.FileActionOkay, `Directory changed to ${quotePath(path)}.`);
  });
}

export function CDUP(s: Session): Promise<Reply | void> {
  return CWD(s, "..");
}

export function MKD(s: Session, arg: string): Promise<Reply | void> {
  return guarded(async () => {
    const path = pathOf(s, arg);
    authorize(s, "mkdir", path);
    await storageOf(s).mkdir(path);
    logEvent(s, "mkdir", path);
    s.server.host.notify("onFileEvent", { session: s.info(), action: "mkdir", path });
    return reply(Code.PathCreated, `${quotePath(path)} created.`);
  });
}

export function RMD(s: Session, arg: string): Promise<Reply | void> {
  return guarded(async () => {
    const path = pathOf(s, arg);
    if (path === "/") return reply(Code.ActionNotTaken, "Permission denied.");
    authorize(s, "rmdir", path);
    await storageOf(s).rmdir(path);
    logEvent(s, "rmdir", path);
    s.server.host.notify("onFileEvent", { session: s.info(), action: "rmdir", path });
    return reply(Code.FileActionOkay, "Directory removed.");
  });
}

export function logEvent(s: Session, event: "cwd" | "mkdir" | "rmdir" | "delete" | "rename", path: string, extra: Record<string, unknown> = {}): void {
  if (s.server.options.log.events.includes(event)) {
    s.server.log.info(event, { session: s.id, ip: s.remoteAddress, user: s.account?.name, path, ...extra });
  }
}
