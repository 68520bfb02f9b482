import { randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  createReadStream,
  fstatSync,
  lstatSync,
  openSync,
  read as readFd,
  readSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  statSync,
  type Stats,
} from "node:fs";
// Through the module object (not a named import), so tests can make the disk fail.
import fs from "node:fs";
import {
  lstat,
  mkdir,
  open,
  realpath,
  rename,
  rmdir,
  stat,
  unlink,
  utimes,
  type FileHandle,
} from "node:fs/promises";
import { basename, dirname, isAbsolute, join, resolve, sep } from "node:path";
import { Writable, type Readable } from "node:stream";
import {
  StorageError,
  type Entry,
  type FileReader,
  type Storage,
  type StorageErrorKind,
  type WriteHandle,
  type WriteMode,
} from "./types.ts";
import { baseName } from "./virtual-path.ts";

const CHUNK_BYTES = 256 * 1024;
// Socket reads arrive in 64 KiB pieces: letting 1 MiB gather while a write runs makes writev do
// the work of sixteen write calls (measured: a third less CPU per uploaded GiB).
const WRITE_BATCH_BYTES = 1024 * 1024;
// Linux gives up after 40 links (MAXSYMLINKS); following dangling links by hand obeys the same.
const MAX_SYMLINK_HOPS = 40;
// Upload writes go straight to the page cache, synchronously, as vsftpd's do: a thread-pool
// round trip per chunk cost a third of STOR's throughput (measured: 800 MB/s against vsftpd's
// 2,200 on loopback). Should one take longer than SLOW_WRITE_MS (a slow card or disk under
// writeback pressure blocks writers), every upload goes back to the thread pool for
// SLOW_COOLDOWN_MS, so a slow disk never stalls the other sessions for long.
const SLOW_WRITE_MS = 4;
const SLOW_COOLDOWN_MS = 10_000;
/** Until when (epoch ms) uploads write through the thread pool, see SLOW_WRITE_MS; tests reset it. */
export const uploadWriteMode = { poolUntil: 0 };

// Metadata calls (realpath, stat, open) are made synchronously: they are answered from the
// kernel's dentry and inode caches in microseconds, while a round trip through the libuv
// thread pool costs tens (measured: 4 of 5 system calls of a small-file download were the
// pool's futex hand-offs). A large folder is listed in slices, yielding to the event loop
// between them, so one LIST of 100,000 names does not stall the other sessions.
const LIST_SLICE = 1024;
/** What is left of a download when it is read on the event loop (see openReader). */
const SMALL_READ_BYTES = 64 * 1024;

const KIND_BY_ERRNO: Record<string, StorageErrorKind> = {
  ENOENT: "not-found",
  EEXIST: "exists",
  ENOTDIR: "not-a-directory",
  EISDIR: "is-a-directory",
  ENOTEMPTY: "not-empty",
  EACCES: "denied",
  EPERM: "denied",
  EROFS: "denied",
  ENOSPC: "no-space",
  EDQUOT: "no-space",
  EFBIG: "no-space",
  ENAMETOOLONG: "invalid-path",
  EINVAL: "invalid-path",
};

/**
 * Turns a Node fs error into a StorageError that names only the virtual path, so that no real
 * path reaches a client or a plugin; the original error stays available as `cause` for logs.
 */
export function storageErrorFromErrno(err: unknown, path: string, operation: string): StorageError {
  if (err instanceof StorageError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? "";
  const kind = KIND_BY_ERRNO[code] ?? "io";
  const error = new StorageError(kind, `${operation} ${path}: ${code || "failed"}`);
  error.cause = err;
  return error;
}

function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function entryFrom(name: string, stats: Stats, type = typeOf(stats)): Entry {
  return {
    name,
    type,
    size: stats.size,
    mtime: stats.mtime,
    mode: stats.mode & 0o777,
    nlink: stats.nlink,
    unique: `${stats.dev.toString(16)}.${stats.ino.toString(16)}`,
  };
}

function typeOf(stats: Stats): Entry["type"] {
  if (stats.isFile()) return "file";
  if (stats.isDirectory()) return "dir";
  return "other";
}

function assertOffset(offset: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`offset must be a non-negative integer, got ${offset}`);
  }
}

export interface LocalStorageOptions {
  /**
   * Upload temp files (see WriteMode `replace`) last written before this time, and not in use by
   * an upload of this process, are debris of a server that was killed mid-upload: listing their
   * folder removes them. Default: none are removed.
   */
  staleUploadsBefore?: Date;
  /**
   * fsync every upload before it is reported complete (default true): a power cut then cannot
   * take a file the client saw complete, nor leave a replaced file half-written. Off, uploads
   * end as soon as their bytes are in the page cache, as with vsftpd or proftpd: faster on
   * slow cards, many small files especially.
   */
  syncUploads?: boolean;
}

/**
 * A Storage over a real folder. Every path is mapped below `root`, and before each operation
 * the symlinks along it are followed: if they lead outside realpath(root) the operation fails
 * with `denied`. Symlinks that stay inside work and are reported as what they point to.
 *
 * Write errors: the upload stream emits a StorageError (ENOSPC → `no-space`, …) as its
 * 'error', so `pipeline(socket, handle.stream)` rejects with it; `commit()` rejects with that
 * same error if called anyway, and with a StorageError of its own when fsync, close or the
 * final rename fail. After any failure call `abort()`; exactly one successful `commit()` or
 * one `abort()` must end every handle, or its file descriptor stays open.
 *
 * The check and the operation are two steps; someone with shell access to the folder who
 * swaps a directory for a symlink in between could slip past it. FTP itself cannot create
 * symlinks, so this only matters when untrusted local users share the folder.
 *
 * @example
 * const storage = new LocalStorage("/srv/ftp");
 * const entries = await storage.list("/music");
 */
export class LocalStorage implements Storage {
  readonly root: string;
  #realRoot: Promise<string> | undefined;
  readonly #staleUploadsBefore: Date | null;
  readonly #syncUploads: boolean;

  constructor(root: string, options: LocalStorageOptions = {}) {
    this.root = resolve(root);
    this.#staleUploadsBefore = options.staleUploadsBefore ?? null;
    this.#syncUploads = options.syncUploads ?? true;
  }

  async stat(path: string): Promise<Entry> {
    const real = await this.#locate(path, "stat", true);
    try {
      return entryFrom(baseName(path) || "/", statSync(real));
    } catch (err) {
      throw storageErrorFromErrno(err, path, "stat");
    }
  }

  async list(path: string): Promise<Entry[]> {
    const real = await this.#locate(path, "list", true);
    let names: string[];
    try {
      names = readdirSync(real);
    } catch (err) {
      throw storageErrorFromErrno(err, path, "list");
    }
    if (this.#staleUploadsBefore) names = await dropStaleUploads(real, names, this.#staleUploadsBefore);
    const root = await this.#rootReal(path);
    const entries: Entry[] = [];
    const base = real.endsWith(sep) ? real : real + sep;
    for (let i = 0; i < names.length; i++) {
      if (i > 0 && i % LIST_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const entry = describeListed(base + names[i]!, names[i]!, root);
      if (entry) entries.push(entry);
    }
    return entries;
  }

  async read(path: string, offset = 0): Promise<Readable> {
    const { fd } = await this.#openForRead(path, offset);
    return createReadStream("", { fd, start: offset, highWaterMark: CHUNK_BYTES });
  }

  /**
   * The file's bytes from `offset` into the caller's buffers, with the opened file's metadata as
   * `entry`. A short read means the end of the file was reached, so the next read answers 0
   * without asking the kernel again (a small file costs one read, not two).
   */
  async openReader(path: string, offset = 0): Promise<FileReader> {
    const { fd, stats } = await this.#openForRead(path, offset);
    let position = offset;
    let ended = false;
    let closed = false;
    const advance = (bytesRead: number, asked: number): number => {
      position += bytesRead;
      if (bytesRead < asked) ended = true;
      return bytesRead;
    };
    return {
      entry: entryFrom(baseName(path), stats),
      read(buffer: Buffer) {
        if (ended || buffer.length === 0) return Promise.resolve(0);
        if (stats.size - position <= SMALL_READ_BYTES) {
          // A small file (or a file's last bytes): one read from the page cache takes
          // microseconds, a thread-pool round trip tens of them (half of a 4 KiB RETR's time).
          try {
            return Promise.resolve(advance(readSync(fd, buffer, 0, buffer.length, position), buffer.length));
          } catch (err) {
            return Promise.reject(storageErrorFromErrno(err, path, "read"));
          }
        }
        return new Promise<number>((resolve, reject) => {
          readFd(fd, buffer, 0, buffer.length, position, (err, bytesRead) => {
            if (err) reject(storageErrorFromErrno(err, path, "read"));
            else resolve(advance(bytesRead, buffer.length));
          });
        });
      },
      close() {
        // Closing a file opened for reading only drops a reference: microseconds, where a
        // thread-pool round trip would hold up the 226 (a small file's RETR waited on it).
        if (!closed) {
          closed = true;
          closeQuietly(fd);
        }
        return Promise.resolve();
      },
    };
  }

  async #openForRead(path: string, offset: number): Promise<{ fd: number; stats: Stats }> {
    assertOffset(offset);
    const real = await this.#locate(path, "read", true);
    let fd: number | undefined;
    try {
      // O_NONBLOCK: should a FIFO sit here, opening it must not block; it is refused right
      // after by the type check.
      fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK);
      const stats = fstatSync(fd);
      if (stats.isDirectory()) throw new StorageError("is-a-directory", `read ${path}: is a directory`);
      if (!stats.isFile()) throw new StorageError("denied", `read ${path}: not a regular file`);
      return { fd, stats };
    } catch (err) {
      if (fd !== undefined) closeQuietly(fd);
      throw storageErrorFromErrno(err, path, "read");
    }
  }

  async write(path: string, mode: WriteMode, offset = 0): Promise<WriteHandle> {
    const upload = await this.#open(path, mode, offset);
    upload.syncOnCommit = this.#syncUploads;
    return upload;
  }

  async #open(path: string, mode: WriteMode, offset: number): Promise<FileUpload> {
    assertOffset(offset);
    if (path === "/") throw new StorageError("is-a-directory", "write /: is a directory");
    const real = await this.#locate(path, "write", true);
    const existing = await stat(real).catch((err: unknown) => {
      if (errnoOf(err) === "ENOENT") return null;
      throw storageErrorFromErrno(err, path, "write");
    });
    if (existing?.isDirectory()) throw new StorageError("is-a-directory", `write ${path}: is a directory`);
    if (existing && !existing.isFile()) throw new StorageError("denied", `write ${path}: not a regular file`);

    try {
      switch (mode) {
        case "create":
          try {
            return inPlaceUpload(await open(real, "wx"), 0, path);
          } catch (err) {
            // Someone created it since the client looked: never write into a file in place
            // that we did not create, so fall back to the safe path.
            if (errnoOf(err) !== "EEXIST") throw err;
            return await replacingUpload(real, path, await stat(real).catch(() => null));
          }
        case "replace":
          return await replacingUpload(real, path, existing);
        case "append":
          return inPlaceUpload(await open(real, "a"), null, path);
        case "resume": {
          const handle = await open(real, constants.O_WRONLY | constants.O_CREAT);
          try {
            await handle.truncate(offset);
          } catch (err) {
            await handle.close().catch(() => {});
            throw err;
          }
          return inPlaceUpload(handle, offset, path);
        }
        default:
          throw new RangeError(`unknown write mode ${String(mode)}`);
      }
    } catch (err) {
      throw storageErrorFromErrno(err, path, "write");
    }
  }

  async mkdir(path: string): Promise<void> {
    if (path === "/") throw new StorageError("exists", "mkdir /: exists");
    const real = await this.#locate(path, "mkdir", false);
    try {
      await mkdir(real);
    } catch (err) {
      throw storageErrorFromErrno(err, path, "mkdir");
    }
  }

  async rmdir(path: string): Promise<void> {
    if (path === "/") throw new StorageError("denied", "rmdir /: the root cannot be removed");
    const real = await this.#locate(path, "rmdir", false);
    try {
      await rmdir(real);
    } catch (err) {
      // POSIX lets rmdir(2) say EEXIST for a non-empty directory (Solaris, some NFS servers).
      if (errnoOf(err) === "EEXIST") throw new StorageError("not-empty", `rmdir ${path}: not empty`);
      throw storageErrorFromErrno(err, path, "rmdir");
    }
  }

  async remove(path: string): Promise<void> {
    if (path === "/") throw new StorageError("is-a-directory", "remove /: is a directory");
    const real = await this.#locate(path, "remove", false);
    try {
      // unlink(2) of a directory is EISDIR on Linux but EPERM on macOS: ask first.
      if ((await lstat(real)).isDirectory()) {
        throw new StorageError("is-a-directory", `remove ${path}: is a directory`);
      }
      await unlink(real);
    } catch (err) {
      throw storageErrorFromErrno(err, path, "remove");
    }
  }

  async rename(from: string, to: string): Promise<void> {
    if (from === "/" || to === "/") throw new StorageError("denied", "rename: the root cannot be renamed");
    const realFrom = await this.#locate(from, "rename", false);
    const realTo = await this.#locate(to, "rename", false);
    try {
      await rename(realFrom, realTo);
    } catch (err) {
      if (errnoOf(err) === "EEXIST") throw new StorageError("not-empty", `rename ${from}: ${to} is not empty`);
      throw storageErrorFromErrno(err, from, "rename");
    }
  }

  async setMtime(path: string, mtime: Date): Promise<void> {
    const real = await this.#locate(path, "setMtime", true);
    try {
      const { atime } = await stat(real);
      await utimes(real, atime, mtime);
    } catch (err) {
      throw storageErrorFromErrno(err, path, "setMtime");
    }
  }

  /**
   * The real path to operate on for `path`, once the symlinks along it are known to stay
   * inside the root. With `followLast` the last name is followed too (stat, read, write…);
   * without, only its folder is (mkdir, rmdir, unlink and rename act on a link itself).
   */
  async #locate(path: string, operation: string, followLast: boolean): Promise<string> {
    const root = await this.#rootReal(path);
    const joined = join(this.root, path);
    const followed = followLast || path === "/" ? joined : dirname(joined);
    let landed: string;
    try {
      landed = landingOf(followed);
    } catch (err) {
      throw storageErrorFromErrno(err, path, operation);
    }
    if (!isInside(landed, root)) {
      throw new StorageError("denied", `${operation} ${path}: leads outside the root`);
    }
    return followed === joined ? landed : join(landed, basename(joined));
  }

  #rootReal(path: string): Promise<string> {
    if (!this.#realRoot) {
      const pending = realpath(this.root);
      this.#realRoot = pending;
      // A root that is missing now may be mounted later: do not remember the failure.
      pending.catch(() => {
        if (this.#realRoot === pending) this.#realRoot = undefined;
      });
    }
    return this.#realRoot.catch((err: unknown) => {
      throw storageErrorFromErrno(err, path, "open root");
    });
  }
}

function isInside(real: string, root: string): boolean {
  return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Where `path` ends up once every symlink along it is followed, as far as it exists: the
 * realpath of its deepest existing ancestor with the missing names appended. Dangling links
 * are followed by hand because open(O_CREAT) would follow them and create their target.
 */
function landingOf(path: string): string {
  const missing: string[] = [];
  let current = path;
  let hops = 0;
  for (;;) {
    try {
      const real = realpathSync(current);
      return missing.length ? join(real, ...missing.reverse()) : real;
    } catch (err) {
      const code = errnoOf(err);
      if (code !== "ENOENT" && code !== "ENOTDIR") throw err;
    }
    let target: string | null = null;
    try {
      target = readlinkSync(current);
    } catch {
      // not a link (or gone): walk up
    }
    if (target !== null) {
      if (++hops > MAX_SYMLINK_HOPS) throw Object.assign(new Error("too many symlinks"), { code: "ELOOP" });
      // Concatenated, not path.resolve()d: ".." after a symlink must be left to the kernel.
      current = isAbsolute(target) ? target : dirname(current) + sep + target;
      continue;
    }
    const parent = dirname(current);
    if (parent === current) return current;
    missing.push(basename(current));
    current = parent;
  }
}

/** Closes a descriptor opened for reading; one already gone is nothing to release. */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

/** One listed name, or null if it vanished meanwhile. Never throws: one bad entry must not hide the folder. */
function describeListed(real: string, name: string, root: string): Entry | null {
  let own: Stats;
  try {
    own = lstatSync(real);
  } catch (err) {
    return errnoOf(err) === "ENOENT" ? null : unknownEntry(name);
  }
  if (!own.isSymbolicLink()) return entryFrom(name, own);
  try {
    const target = realpathSync(real);
    // A link out of the root is shown, so the folder looks as it does on disk, but nothing
    // about its target is revealed.
    if (!isInside(target, root)) return entryFrom(name, own, "other");
    return entryFrom(name, statSync(target));
  } catch {
    return entryFrom(name, own, "other");
  }
}

function unknownEntry(name: string): Entry {
  return { name, type: "other", size: 0, mtime: new Date(0), mode: 0, nlink: 1, unique: "" };
}

function inPlaceUpload(handle: FileHandle, position: number | null, path: string): FileUpload {
  return new FileUpload(handle, position, path, null);
}

async function replacingUpload(target: string, path: string, existing: Stats | null): Promise<FileUpload> {
  const temp = join(dirname(target), temporaryName(basename(target)));
  const handle = await open(temp, "wx");
  uploadsInFlight.add(temp);
  // The new file takes the place of the old one: keep its permission bits, not the umask's.
  if (existing) await handle.chmod(existing.mode & 0o7777).catch(() => {});
  return new FileUpload(handle, 0, path, { temp, target });
}

/** Exactly the names temporaryName() makes. */
const TEMPORARY_NAME = /^\.(?:.+\.)?ftpi-[0-9a-f]{12}\.part$/;

/** Real paths of the temp files this process is writing right now. */
const uploadsInFlight = new Set<string>();

/**
 * `names` of folder `real` without the temp files a killed server left, which are removed:
 * regular files named exactly as temporaryName() names them, last written before `before`, and
 * not being written by this process (a clock set back after the start must not cost an upload).
 */
async function dropStaleUploads(real: string, names: string[], before: Date): Promise<string[]> {
  const kept: string[] = [];
  for (const name of names) {
    const at = join(real, name);
    if (TEMPORARY_NAME.test(name) && !uploadsInFlight.has(at)) {
      const own = await lstat(at).catch(() => null);
      if (own?.isFile() && own.mtime < before && (await unlink(at).then(() => true, () => false))) continue;
    }
    kept.push(name);
  }
  return kept;
}

function temporaryName(name: string): string {
  const random = randomBytes(6).toString("hex");
  // Hidden and recognisable beside the target; a name near NAME_MAX (255 bytes) would push the
  // decorated name over it, so such names get the decoration only.
  return Buffer.byteLength(name) > 200 ? `.ftpi-${random}.part` : `.${name}.ftpi-${random}.part`;
}

/** Ends an upload: see LocalStorage for how errors surface. */
class FileUpload implements WriteHandle {
  readonly stream: FileSink;
  #state: "open" | "committed" | "aborted" = "open";
  #closed = false;
  /** fsync before the file is closed (and renamed into place): see LocalStorageOptions.syncUploads. */
  syncOnCommit = true;

  constructor(
    private readonly handle: FileHandle,
    position: number | null,
    private readonly path: string,
    private readonly replacing: { temp: string; target: string } | null,
  ) {
    this.stream = new FileSink(handle, position, path);
  }

  async commit(): Promise<void> {
    if (this.#state !== "open") throw new StorageError("io", `commit ${this.path}: upload already ${this.#state}`);
    const streamError = this.stream.errored;
    if (streamError) throw storageErrorFromErrno(streamError, this.path, "write");
    if (!this.stream.writableFinished) {
      throw new StorageError("io", `commit ${this.path}: the upload stream has not finished`);
    }
    await this.stream.settled();
    try {
      if (this.syncOnCommit) await this.handle.sync();
      this.#closed = true;
      await this.handle.close();
      if (this.replacing) await rename(this.replacing.temp, this.replacing.target);
    } catch (err) {
      throw storageErrorFromErrno(err, this.path, "commit");
    }
    this.#state = "committed";
    if (this.replacing) uploadsInFlight.delete(this.replacing.temp);
  }

  async abort(): Promise<void> {
    if (this.#state !== "open") return;
    this.#state = "aborted";
    this.stream.destroy();
    await this.stream.settled();
    if (!this.#closed) {
      this.#closed = true;
      await this.handle.close().catch(() => {});
    }
    if (this.replacing) {
      await unlink(this.replacing.temp).catch(() => {});
      uploadsInFlight.delete(this.replacing.temp);
    }
  }
}

/**
 * A Writable over an open file that reports failures as StorageErrors. fs.WriteStream would
 * emit raw Node errors, and by then nothing could translate them for the listener.
 */
class FileSink extends Writable {
  #inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly handle: FileHandle,
    /** Where the next byte goes; null appends (O_APPEND decides). */
    private position: number | null,
    private readonly path: string,
  ) {
    super({ highWaterMark: WRITE_BATCH_BYTES });
  }

  /** Resolves once no write is running on the file, so it can be closed. */
  settled(): Promise<void> {
    return this.#inFlight.catch(() => {});
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (Date.now() >= uploadWriteMode.poolUntil) {
      // The stream calls _write only once the previous write finished: never two at once.
      const started = performance.now();
      try {
        this.#writeAllSync(chunk);
      } catch (err) {
        callback(storageErrorFromErrno(err, this.path, "write"));
        return;
      }
      if (performance.now() - started > SLOW_WRITE_MS) uploadWriteMode.poolUntil = Date.now() + SLOW_COOLDOWN_MS;
      release(chunk);
      callback();
      return;
    }
    this.#track(this.#writeAll([chunk]).then(() => release(chunk)), callback);
  }

  #writeAllSync(chunk: Buffer): void {
    let done = 0;
    while (done < chunk.length) {
      const written = fs.writeSync(this.handle.fd, chunk, done, chunk.length - done, this.position);
      if (written === 0) throw new StorageError("io", `write ${this.path}: no progress`);
      done += written;
      if (this.position !== null) this.position += written;
    }
  }

  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    callback: (error?: Error | null) => void,
  ): void {
    const buffers = chunks.map((c) => c.chunk);
    this.#track(
      this.#writeAll(buffers).then(() => buffers.forEach(release)),
      callback,
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.settled().then(() => callback(error));
  }

  #track(work: Promise<void>, callback: (error?: Error | null) => void): void {
    this.#inFlight = work;
    work.then(
      () => callback(),
      (err: unknown) => callback(storageErrorFromErrno(err, this.path, "write")),
    );
  }

  async #writeAll(buffers: Buffer[]): Promise<void> {
    let pending = buffers.filter((b) => b.length > 0);
    while (pending.length > 0) {
      const position = this.position ?? undefined;
      const { bytesWritten } =
        pending.length === 1
          ? await this.handle.write(pending[0]!, 0, pending[0]!.length, this.position)
          : await this.handle.writev(pending, position);
      if (bytesWritten === 0) throw new StorageError("io", `write ${this.path}: no progress`);
      if (this.position !== null) this.position += bytesWritten;
      pending = dropBytes(pending, bytesWritten);
    }
  }
}

type Transferable = ArrayBuffer & { transfer?: (length: number) => ArrayBuffer };
const FRESH_SOCKET_BUFFERS = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

/**
 * Frees a received chunk's memory as soon as its bytes are in the file. Bun hands every socket
 * read over in a fresh buffer that only a garbage collection frees, so a fast upload piled up
 * ~30 MiB of them; detaching the buffer (ArrayBuffer.prototype.transfer, where the runtime has
 * it) frees it at once (measured on Bun: +36 -> +8 MiB peak for 1 GiB received). Only a buffer
 * the chunk spans entirely is detached: a slice of a shared one is someone else's too. Only on
 * Bun, where every read was seen to come in a buffer of its own; another runtime could read
 * into a buffer it reuses, and detaching that would break its next read.
 */
function release(chunk: Buffer): void {
  if (!FRESH_SOCKET_BUFFERS) return;
  const backing = chunk.buffer as Transferable;
  if (typeof backing.transfer === "function" && chunk.byteOffset === 0 && chunk.byteLength === backing.byteLength && chunk.byteLength > 0) {
    backing.transfer(0);
  }
}

/** What is left of `buffers` after the first `count` bytes were written (writes may be short). */
function dropBytes(buffers: Buffer[], count: number): Buffer[] {
  let left = count;
  let i = 0;
  while (i < buffers.length && left >= buffers[i]!.length) left -= buffers[i++]!.length;
  const rest = buffers.slice(i);
  if (left > 0 && rest.length > 0) rest[0] = rest[0]!.subarray(left);
  return rest;
}
