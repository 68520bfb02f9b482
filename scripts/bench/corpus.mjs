// The files every server serves: made once per run in `base/corpus`, then hard-linked into each
// server's folder, so all servers read the same inodes from the same page cache.
import { chownSync, linkSync, mkdirSync, openSync, closeSync, writeSync, readdirSync, writeFileSync } from "node:fs";
import { randomFillSync } from "node:crypto";
import { join } from "node:path";

export const BIG = "big.bin";
export const MEDIUM = "medium.bin";
export const SMALL_DIR = "small";
export const MANY_DIR = "many";

export const smallName = (i) => `${SMALL_DIR}/f${String(i).padStart(5, "0")}.bin`;

function writeFile(path, size) {
  const chunk = randomFillSync(Buffer.allocUnsafe(1 << 20));
  const fd = openSync(path, "w", 0o644);
  try {
    for (let left = size; left > 0; ) {
      const n = Math.min(left, chunk.length);
      writeSync(fd, chunk, 0, n);
      left -= n;
    }
  } finally {
    closeSync(fd);
  }
}

/** The shared originals: the big file, the 20 MiB file, the small files. */
export function makeCorpus(base, sizes) {
  const dir = join(base, "corpus");
  mkdirSync(join(dir, SMALL_DIR), { recursive: true });
  writeFile(join(dir, BIG), sizes.bigBytes);
  writeFile(join(dir, MEDIUM), sizes.mediumBytes);
  const small = randomFillSync(Buffer.allocUnsafe(sizes.smallBytes));
  for (let i = 0; i < sizes.smallFiles; i++) writeFileSync(join(dir, smallName(i)), small, { mode: 0o644 });
  return dir;
}

/**
 * A server's folder: links to the corpus, plus its own folder of `sizes.listEntries` files for
 * LIST (each server's own, so one server's directory cache is not another's). The folder
 * belongs to `owner` (the Unix user the C servers run sessions as), so uploads may land in it.
 */
export function makeServerRoot(corpus, root, sizes, owner) {
  mkdirSync(join(root, SMALL_DIR), { recursive: true });
  mkdirSync(join(root, MANY_DIR), { recursive: true });
  linkSync(join(corpus, BIG), join(root, BIG));
  linkSync(join(corpus, MEDIUM), join(root, MEDIUM));
  for (const name of readdirSync(join(corpus, SMALL_DIR))) linkSync(join(corpus, SMALL_DIR, name), join(root, SMALL_DIR, name));
  for (let i = 0; i < sizes.listEntries; i++) writeFileSync(join(root, MANY_DIR, `entry-${String(i).padStart(5, "0")}.txt`), "ftpi\n");
  if (owner) chownSync(root, owner.uid, owner.gid);
}
