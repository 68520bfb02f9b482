import type { Readable, Writable } from "node:stream";

/** What kind of directory entry a path names. Symlinks are reported by what they point to. */
export type EntryType = "file" | "dir" | "other";

/**
 * One directory entry, as LIST, MLSD, SIZE and MDTM see it.
 *
 * @example
 * const entry: Entry = await storage.stat("/music/song.flac");
 * if (entry.type === "file") console.log(`${entry.name}: ${entry.size} bytes, ${entry.mtime.toISOString()}`);
 */
export interface Entry {
  name: string;
  type: EntryType;
  size: number;
  mtime: Date;
  /** Unix permission bits (e.g. 0o644); backends without them report 0o644 / 0o755. */
  mode: number;
  nlink: number;
  /** A value unique per file on this server (RFC 3659 "unique" fact), e.g. "dev.ino" in hex. */
  unique: string;
}

/**
 * Error kinds a backend reports; core/storage/errors.ts maps each to one reply code
 * (not-found 550, no-space 552, invalid-path 553, io 451, ...).
 *
 * @example
 * throw new StorageError("not-found", "/missing.txt");
 */
export type StorageErrorKind =
  | "not-found"
  | "exists"
  | "not-a-directory"
  | "is-a-directory"
  | "not-empty"
  | "denied"
  | "no-space"
  | "invalid-path"
  | "io";

/**
 * What a Storage throws; its `kind` decides the FTP reply, its message is for logs and never
 * names a real path.
 *
 * @example
 * try {
 *   await storage.remove("/gone.txt");
 * } catch (err) {
 *   if (err instanceof StorageError && err.kind === "not-found") console.log("already gone");
 * }
 */
export class StorageError extends Error {
  constructor(
    readonly kind: StorageErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "StorageError";
  }
}

/**
 * How an upload opens its target.
 * - `create`: the file does not exist yet; written in place, so an interrupted upload leaves a
 *   resumable partial file.
 * - `replace`: the file exists; written beside it and renamed over it on commit, so an
 *   interrupted upload never damages the complete file that was there.
 * - `append`: APPE; bytes are added at the end, in place.
 * - `resume`: REST n + STOR; written in place from `offset`, the file is truncated there first.
 *
 * @example
 * // REST 1048576 then STOR big.iso: continue an interrupted upload.
 * const handle = await storage.write("/upload/big.iso", "resume", 1_048_576);
 */
export type WriteMode = "create" | "replace" | "append" | "resume";

/**
 * An upload in progress: pipe the data into `stream`, then `commit()` once it finished, or
 * `abort()` when it failed.
 *
 * @example
 * const handle = await storage.write("/notes.txt", "create");
 * await pipeline(Readable.from(["hello\n"]), handle.stream);
 * await handle.commit();
 */
export interface WriteHandle {
  stream: Writable;
  /** Called after the stream finished without error: makes the upload durable and visible. */
  commit(): Promise<void>;
  /** Called when the upload failed or was aborted: keeps what the mode promises (see WriteMode). */
  abort(): Promise<void>;
}

/** Sequential reads into buffers the caller owns, so a download allocates nothing per chunk. */
export interface FileReader {
  /** Fills `buffer` from the current position; 0 at the end of the file. */
  read(buffer: Buffer): Promise<number>;
  close(): Promise<void>;
  /** The opened file's metadata, when the backend has it at hand (saves RETR a stat). */
  entry?: Entry;
}

/**
 * A file tree seen through virtual paths: absolute, normalised, "/"-separated, "/" = the root.
 * Backends never let a path (or a symlink in it) lead outside their root.
 *
 * @example
 * // Serve every account from memory (tests, demos), through ServerExtras.storageFor:
 * const server = await createServer(options, { storageFor: () => new MemoryStorage() });
 */
export interface Storage {
  stat(path: string): Promise<Entry>;
  list(path: string): Promise<Entry[]>;
  read(path: string, offset?: number): Promise<Readable>;
  /** Optional: the same bytes as read(), into caller-owned buffers (the fast download path). */
  openReader?(path: string, offset?: number): Promise<FileReader>;
  write(path: string, mode: WriteMode, offset?: number): Promise<WriteHandle>;
  mkdir(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  remove(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  setMtime(path: string, mtime: Date): Promise<void>;
}
