import { Code } from "../codes.ts";
import { StorageError, type StorageErrorKind } from "./types.ts";

/** An FTP reply for a failed storage operation. */
export interface StorageErrorReply {
  code: number;
  text: string;
}

// RFC 959 §4.2.2. The texts are fixed so that no real path or OS message ever reaches a client.
const REPLIES: Record<Exclude<StorageErrorKind, "no-space">, StorageErrorReply> = {
  "not-found": { code: Code.ActionNotTaken, text: "No such file or directory" },
  exists: { code: Code.ActionNotTaken, text: "File exists" },
  "not-a-directory": { code: Code.ActionNotTaken, text: "Not a directory" },
  "is-a-directory": { code: Code.ActionNotTaken, text: "Is a directory" },
  "not-empty": { code: Code.ActionNotTaken, text: "Directory not empty" },
  denied: { code: Code.ActionNotTaken, text: "Permission denied" },
  "invalid-path": { code: Code.FileNameNotAllowed, text: "File name not allowed" },
  io: { code: Code.LocalError, text: "Local error in processing" },
};

/**
 * The one mapping from a storage failure to the reply the client gets.
 * A full disk is 552 ("exceeded storage allocation") while data is being stored and 452
 * ("insufficient storage space") for a command such as MKD, as RFC 959 §4.2.2 distinguishes.
 * Anything that is not a StorageError is an internal failure: 451.
 *
 * @example
 * replyForStorageError(new StorageError("not-found", "/a"), "command") // { code: Code.ActionNotTaken, ... }
 */
export function replyForStorageError(err: unknown, during: "transfer" | "command"): StorageErrorReply {
  if (!(err instanceof StorageError)) return { ...REPLIES.io };
  if (err.kind === "no-space") {
    return during === "transfer"
      ? { code: Code.ExceededStorage, text: "Exceeded storage allocation" }
      : { code: Code.InsufficientStorage, text: "Insufficient storage space" };
  }
  // A backend written in plain JS could invent a kind; treat it as the generic failure.
  return { ...(REPLIES[err.kind] ?? REPLIES.io) };
}
