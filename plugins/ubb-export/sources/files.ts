import type { ReadOnlyFiles } from "../../../core/index.ts";
import type { ListingSource } from "../tree.ts";

/**
 * The server's own storage as a listing source (SITE UBB, the status panel): what an account
 * sees, through virtual paths. Folders carry the storage's unique id (device and inode on disk),
 * so a symbolic link back up the tree is listed once, not followed round and round.
 *
 * @example
 * const source = filesSource(ctx.files("anonymous")!);
 */
export function filesSource(files: ReadOnlyFiles): ListingSource {
  return {
    async list(path) {
      const entries = await files.list(path);
      return entries
        .filter((e) => e.type !== "other")
        .map((e) =>
          e.type === "dir"
            ? { name: e.name, type: "dir" as const, size: 0, modified: e.mtime, ...(e.unique ? { id: e.unique } : {}) }
            : { name: e.name, type: "file" as const, size: e.size, modified: e.mtime },
        );
    },
    async folderId(path) {
      return (await files.stat(path)).unique || null;
    },
  };
}
