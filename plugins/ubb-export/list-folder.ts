import { StorageError, type ReadOnlyFiles, type StorageErrorKind } from "../../core/index.ts";
import { crawlTree } from "./crawl.ts";
import { globMatcher } from "./glob.ts";
import { filesSource } from "./sources/files.ts";
import type { FolderItem } from "./tree.ts";

/**
 * The listed folder cannot be listed, for a reason the storage gave: missing, a file, refused
 * (permissions, or a symbolic link leading outside the root), unreadable. Carries the FTP reply
 * code (SITE UBB) and the HTTP status (the panel); the message names the folder as the user
 * wrote it, never a real path or an OS message.
 */
export class FolderError extends Error {
  constructor(
    message: string,
    /** The FTP reply code: 550 for a folder that is missing, a file or refused, 451 when it could not be read. */
    readonly ftpCode: 550 | 451,
    /** The HTTP status: 404 missing, 403 refused, 500 unreadable. */
    readonly httpStatus: 404 | 403 | 500,
  ) {
    super(message);
    this.name = "FolderError";
  }
}

// What each storage failure means for the listed folder (RFC 959 §4.2: 550 "file unavailable
// (e.g., file not found, no access)", 451 "local error in processing").
const NO_SUCH_FOLDER = { text: "no such folder", ftp: 550, http: 404 } as const;
const BY_KIND: Record<StorageErrorKind, { text: string; ftp: FolderError["ftpCode"]; http: FolderError["httpStatus"] }> = {
  "not-found": NO_SUCH_FOLDER,
  "not-a-directory": NO_SUCH_FOLDER,
  "invalid-path": NO_SUCH_FOLDER,
  "is-a-directory": NO_SUCH_FOLDER,
  exists: NO_SUCH_FOLDER,
  "not-empty": { text: "cannot be listed", ftp: 550, http: 500 },
  denied: { text: "permission denied", ftp: 550, http: 403 },
  "no-space": { text: "cannot be read (the server's disk is full)", ftp: 451, http: 500 },
  io: { text: "cannot be read", ftp: 451, http: 500 },
};

/**
 * A folder of the server's own storage and everything below it (what SITE UBB and the status
 * panel list). Folders matching `exclude` are not even entered.
 *
 * @throws FolderError when `path` itself cannot be listed (missing, a file, denied, unreadable)
 * @example
 * const tree = await crawlFolder(ctx.files("anonymous")!, "/music", { exclude: ["*.tmp"], concurrency: 4, maxFolders: 10_000 });
 */
export async function crawlFolder(files: ReadOnlyFiles, path: string, limits: { exclude: string[]; concurrency: number; maxFolders: number }): Promise<FolderItem> {
  try {
    return await crawlTree(filesSource(files), path, { concurrency: limits.concurrency, maxFolders: limits.maxFolders, skip: globMatcher(limits.exclude) });
  } catch (err) {
    if (err instanceof StorageError) {
      // A backend in plain JS could invent a kind: treat it as unreadable.
      const meaning = BY_KIND[err.kind] ?? BY_KIND.io;
      throw new FolderError(`${path}: ${meaning.text}`, meaning.ftp, meaning.http);
    }
    throw err;
  }
}
