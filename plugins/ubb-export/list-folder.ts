import { StorageError, type ReadOnlyFiles } from "../../core/index.ts";
import { crawlTree } from "./crawl.ts";
import { globMatcher } from "./glob.ts";
import { filesSource } from "./sources/files.ts";
import type { FolderItem } from "./tree.ts";

/** The listed folder is missing or is a file: the user's mistake, not the server's. */
export class NotAFolderError extends Error {}

/**
 * A folder of the server's own storage and everything below it (what SITE UBB and the status
 * panel list). Folders matching `exclude` are not even entered.
 *
 * @throws NotAFolderError when `path` is not a folder
 * @example
 * const tree = await crawlFolder(ctx.files("anonymous")!, "/music", { exclude: ["*.tmp"], concurrency: 4, maxFolders: 10_000 });
 */
export async function crawlFolder(files: ReadOnlyFiles, path: string, limits: { exclude: string[]; concurrency: number; maxFolders: number }): Promise<FolderItem> {
  try {
    return await crawlTree(filesSource(files), path, { concurrency: limits.concurrency, maxFolders: limits.maxFolders, skip: globMatcher(limits.exclude) });
  } catch (err) {
    if (err instanceof StorageError && (err.kind === "not-found" || err.kind === "not-a-directory" || err.kind === "invalid-path")) {
      throw new NotAFolderError(`${path}: no such folder`);
    }
    throw err;
  }
}
