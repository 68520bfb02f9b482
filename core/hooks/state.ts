import { mkdir, readFile, rename, writeFile, open } from "node:fs/promises";
import path from "node:path";
import type { StateStore } from "./types.ts";

/**
 * A JSON document under the data folder, replaced atomically (write a temp file, fsync, rename),
 * so a crash mid-save leaves either the old or the new document, never half of one.
 */
export function jsonStateStore<T>(file: string): StateStore<T> {
  let chain: Promise<unknown> = Promise.resolve();
  return {
    async load() {
      try {
        return JSON.parse(await readFile(file, "utf8")) as T;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw err;
      }
    },
    save(value: T) {
      // Saves are serialised so an older document never lands after a newer one.
      const next = chain.then(async () => {
        await mkdir(path.dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, JSON.stringify(value));
        const fh = await open(tmp, "r");
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
        await rename(tmp, file);
      });
      chain = next.catch(() => {});
      return next;
    },
  };
}
