import { Code } from "../codes.ts";
import type { Permission } from "../auth/types.ts";
import { reply, type Reply } from "../reply.ts";
import type { Session } from "../session.ts";
import { replyForStorageError } from "../storage/errors.ts";
import { parentOf, resolvePath } from "../storage/virtual-path.ts";
import type { Storage } from "../storage/types.ts";
import { asStorageError } from "../data/transfer.ts";

/** A refusal to hand straight back to the client. */
export class Refusal extends Error {
  constructor(readonly reply: Reply) {
    super(reply.lines[0]);
  }
}

/** The virtual path an argument names, relative to the session's folder. */
export function pathOf(s: Session, arg: string): string {
  try {
    return resolvePath(s.cwd, arg);
  } catch {
    throw new Refusal(reply(Code.FileNameNotAllowed, "File name not allowed."));
  }
}

/** `path` resolved, and `perm` checked on the folder that holds it (or on it, for `on: "self"`). */
export function authorize(s: Session, perm: Permission, path: string, on: "parent" | "self" = "parent"): void {
  const dir = on === "parent" ? parentOf(path) : path;
  if (!s.permissions!.can(perm, dir)) throw new Refusal(reply(Code.ActionNotTaken, "Permission denied."));
}

export function can(s: Session, perm: Permission, dir: string): boolean {
  return s.permissions!.can(perm, dir);
}

export function storageOf(s: Session): Storage {
  return s.storage!;
}

/** Runs a command body; refusals and storage failures become their replies. */
export async function guarded(body: () => Promise<Reply | void> | Reply | void, during: "transfer" | "command" = "command"): Promise<Reply | void> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof Refusal) return err.reply;
    const r = replyForStorageError(asStorageError(err) ?? err, during);
    return reply(r.code, r.text);
  }
}
