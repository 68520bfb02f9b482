import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { ListingSource, SourceEntry } from "../tree.ts";

/**
 * A folder on this machine as a listing source; "/" is `dir`. Symbolic links count as what they
 * point to; a dangling one is left out.
 *
 * @example
 * const tree = await crawlTree(localFolderSource("/srv/share"), "/");
 */
export function localFolderSource(dir: string): ListingSource {
  return {
    async list(virtualPath) {
      const folder = path.join(dir, ...virtualPath.split("/").filter(Boolean));
      const names = await readdir(folder);
      const entries = await Promise.all(
        names.map(async (name): Promise<SourceEntry | null> => {
          try {
            const s = await stat(path.join(folder, name));
            if (s.isDirectory()) return { name, type: "dir", size: 0, modified: s.mtime };
            if (s.isFile()) return { name, type: "file", size: s.size, modified: s.mtime };
          } catch {
            // A dangling link or an entry removed meanwhile: nothing to list.
          }
          return null;
        }),
      );
      return entries.filter((e): e is SourceEntry => e !== null);
    },
  };
}
