import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { Stats } from "node:fs";
import type { ListingSource, SourceEntry } from "../tree.ts";

/**
 * A folder on this machine as a listing source; "/" is `dir`. Symbolic links count as what they
 * point to; a dangling one is left out. Folders carry their device and inode as id, so a crawl
 * lists a folder reached again through a link (`up -> ..`) only once.
 *
 * @example
 * const tree = await crawlTree(localFolderSource("/srv/share"), "/");
 */
export function localFolderSource(dir: string): ListingSource {
  const real = (virtualPath: string) => path.join(dir, ...virtualPath.split("/").filter(Boolean));
  return {
    async list(virtualPath) {
      const folder = real(virtualPath);
      const names = await readdir(folder);
      const entries = await Promise.all(
        names.map(async (name): Promise<SourceEntry | null> => {
          try {
            const s = await stat(path.join(folder, name));
            if (s.isDirectory()) return { name, type: "dir", size: 0, modified: s.mtime, id: idOf(s) };
            if (s.isFile()) return { name, type: "file", size: s.size, modified: s.mtime };
          } catch {
            // A dangling link, a loop (ELOOP) or an entry removed meanwhile: nothing to list.
          }
          return null;
        }),
      );
      return entries.filter((e): e is SourceEntry => e !== null);
    },
    async folderId(virtualPath) {
      return idOf(await stat(real(virtualPath)));
    },
  };
}

const idOf = (s: Stats) => `${s.dev}:${s.ino}`;
