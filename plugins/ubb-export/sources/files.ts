import type { ReadOnlyFiles } from "../../../core/index.ts";
import type { ListingSource } from "../tree.ts";

/**
 * The server's own storage as a listing source (SITE UBB, the status panel): what an account
 * sees, through virtual paths.
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
        .map((e) => ({ name: e.name, type: e.type === "dir" ? "dir" : "file", size: e.type === "dir" ? 0 : e.size, modified: e.mtime }));
    },
  };
}
