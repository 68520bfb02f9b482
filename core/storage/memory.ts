import { Readable, Writable } from "node:stream";
import {
  StorageError,
  type Entry,
  type Storage,
  type StorageErrorKind,
  type WriteHandle,
  type WriteMode,
} from "./types.ts";
import { baseName, parentOf, splitPath } from "./virtual-path.ts";

const CHUNK_BYTES = 256 * 1024;
// Mirrors NAME_MAX so that tests of the core see the same invalid-path as on a real disk.
const NAME_MAX_BYTES = 255;

interface FileNode {
  type: "file";
  /** Bytes 0..size are the content; the rest is room to grow. */
  content: Buffer;
  size: number;
  mtime: Date;
  ino: number;
}

interface DirNode {
  type: "dir";
  children: Map<string, Node>;
  mtime: Date;
  ino: number;
}

type Node = FileNode | DirNode;

/** Options for MemoryStorage. */
export interface MemoryStorageOptions {
  /** Total bytes all files may hold; writes beyond fail with `no-space`. Default: unlimited. */
  capacityBytes?: number;
}

function fail(kind: StorageErrorKind, operation: string, path: string): StorageError {
  return new StorageError(kind, `${operation} ${path}: ${kind}`);
}

/**
 * An in-memory file tree with the semantics and error kinds of LocalStorage, for tests of the
 * core. `deny(path)` makes a path and everything below it answer `denied`, as an unreadable
 * folder on disk would; `capacityBytes` makes a full disk.
 *
 * @example
 * const storage = new MemoryStorage({ capacityBytes: 1024 });
 * await storage.mkdir("/upload");
 */
export class MemoryStorage implements Storage {
  readonly #root: DirNode;
  readonly #capacityBytes: number;
  readonly #denied = new Set<string>();
  /** Files being written beside their target (`replace`): they take room before they are visible. */
  readonly #detached = new Set<FileNode>();
  #nextIno = 1;

  constructor(options: MemoryStorageOptions = {}) {
    this.#capacityBytes = options.capacityBytes ?? Infinity;
    this.#root = this.#newDir();
  }

  /** Makes `path` and everything below it refuse every operation with `denied` (or allow again). */
  deny(path: string, denied = true): void {
    if (denied) this.#denied.add(path);
    else this.#denied.delete(path);
  }

  async stat(path: string): Promise<Entry> {
    return this.#entry(baseName(path) || "/", this.#lookup(path, "stat"));
  }

  async list(path: string): Promise<Entry[]> {
    const dir = this.#lookup(path, "list");
    if (dir.type !== "dir") throw fail("not-a-directory", "list", path);
    return [...dir.children].map(([name, node]) => this.#entry(name, node));
  }

  async read(path: string, offset = 0): Promise<Readable> {
    assertOffset(offset);
    const node = this.#lookup(path, "read");
    if (node.type === "dir") throw fail("is-a-directory", "read", path);
    // A snapshot: what a reader gets does not change under it when an upload replaces the file.
    const data = Buffer.from(node.content.subarray(Math.min(offset, node.size), node.size));
    let position = 0;
    return new Readable({
      highWaterMark: CHUNK_BYTES,
      read() {
        if (position >= data.length) {
          this.push(null);
          return;
        }
        const end = Math.min(position + CHUNK_BYTES, data.length);
        this.push(data.subarray(position, end));
        position = end;
      },
    });
  }

  async write(path: string, mode: WriteMode, offset = 0): Promise<WriteHandle> {
    assertOffset(offset);
    if (path === "/") throw fail("is-a-directory", "write", path);
    const { dir, name } = this.#parentDir(path, "write");
    const existing = dir.children.get(name);
    if (existing?.type === "dir") throw fail("is-a-directory", "write", path);

    if (mode === "replace" || (mode === "create" && existing)) {
      const file = this.#newFile();
      this.#detached.add(file);
      return new MemoryUpload(this.#space(file), file, 0, path, () => this.#commitReplacement(path, file));
    }
    let file = existing;
    if (!file) {
      file = this.#newFile();
      dir.children.set(name, file);
      dir.mtime = new Date();
    }
    if (mode === "resume") resize(file, offset);
    return new MemoryUpload(this.#space(file), file, mode === "append" ? null : offset, path, null);
  }

  async mkdir(path: string): Promise<void> {
    if (path === "/") throw fail("exists", "mkdir", path);
    const { dir, name } = this.#parentDir(path, "mkdir");
    if (dir.children.has(name)) throw fail("exists", "mkdir", path);
    dir.children.set(name, this.#newDir());
    dir.mtime = new Date();
  }

  async rmdir(path: string): Promise<void> {
    if (path === "/") throw fail("denied", "rmdir", path);
    const { dir, name } = this.#parentDir(path, "rmdir");
    const node = dir.children.get(name);
    if (!node) throw fail("not-found", "rmdir", path);
    if (node.type !== "dir") throw fail("not-a-directory", "rmdir", path);
    if (node.children.size > 0) throw fail("not-empty", "rmdir", path);
    dir.children.delete(name);
    dir.mtime = new Date();
  }

  async remove(path: string): Promise<void> {
    if (path === "/") throw fail("is-a-directory", "remove", path);
    const { dir, name } = this.#parentDir(path, "remove");
    const node = dir.children.get(name);
    if (!node) throw fail("not-found", "remove", path);
    if (node.type === "dir") throw fail("is-a-directory", "remove", path);
    dir.children.delete(name);
    dir.mtime = new Date();
  }

  /** rename(2): a file or an empty folder at `to` is replaced; a folder cannot move into itself. */
  async rename(from: string, to: string): Promise<void> {
    if (from === "/" || to === "/") throw fail("denied", "rename", from);
    const source = this.#parentDir(from, "rename");
    const node = source.dir.children.get(source.name);
    if (!node) throw fail("not-found", "rename", from);
    const target = this.#parentDir(to, "rename");
    const replaced = target.dir.children.get(target.name);
    if (replaced === node) return;
    if (node.type === "dir" && to.startsWith(from + "/")) throw fail("invalid-path", "rename", from);
    if (replaced) {
      if (node.type === "file" && replaced.type === "dir") throw fail("is-a-directory", "rename", to);
      if (node.type === "dir" && replaced.type === "file") throw fail("not-a-directory", "rename", to);
      if (replaced.type === "dir" && replaced.children.size > 0) throw fail("not-empty", "rename", to);
    }
    source.dir.children.delete(source.name);
    target.dir.children.set(target.name, node);
    source.dir.mtime = target.dir.mtime = new Date();
  }

  async setMtime(path: string, mtime: Date): Promise<void> {
    this.#lookup(path, "setMtime").mtime = new Date(mtime);
  }

  /** How an upload of `file` asks for room, and gives back a dropped `replace` file's room. */
  #space(file: FileNode): UploadSpace {
    return {
      reserve: (bytes, path) => {
        if (bytes > 0 && this.#usedBytes() + bytes > this.#capacityBytes) throw fail("no-space", "write", path);
      },
      release: () => this.#detached.delete(file),
    };
  }

  #commitReplacement(path: string, file: FileNode): void {
    const { dir, name } = this.#parentDir(path, "commit");
    if (dir.children.get(name)?.type === "dir") throw fail("is-a-directory", "commit", path);
    this.#detached.delete(file);
    dir.children.set(name, file);
    dir.mtime = new Date();
  }

  #usedBytes(): number {
    if (this.#capacityBytes === Infinity) return 0;
    let used = 0;
    for (const file of this.#detached) used += file.size;
    const walk = (dir: DirNode): void => {
      for (const node of dir.children.values()) {
        if (node.type === "dir") walk(node);
        else used += node.size;
      }
    };
    walk(this.#root);
    return used;
  }

  #lookup(path: string, operation: string): Node {
    this.#checkAccess(path, operation);
    let node: Node = this.#root;
    for (const name of splitPath(path)) {
      if (node.type !== "dir") throw fail("not-a-directory", operation, path);
      const child: Node | undefined = node.children.get(name);
      if (!child) throw fail("not-found", operation, path);
      node = child;
    }
    return node;
  }

  /** The existing folder that holds `path`, and the name within it. */
  #parentDir(path: string, operation: string): { dir: DirNode; name: string } {
    this.#checkAccess(path, operation);
    const dir = this.#lookup(parentOf(path), operation);
    if (dir.type !== "dir") throw fail("not-a-directory", operation, path);
    return { dir, name: baseName(path) };
  }

  #checkAccess(path: string, operation: string): void {
    for (const name of splitPath(path)) {
      if (Buffer.byteLength(name) > NAME_MAX_BYTES) throw fail("invalid-path", operation, path);
    }
    for (const denied of this.#denied) {
      if (path === denied || path.startsWith(denied === "/" ? "/" : denied + "/")) {
        throw fail("denied", operation, path);
      }
    }
  }

  #entry(name: string, node: Node): Entry {
    const unique = `0.${node.ino.toString(16)}`;
    if (node.type === "file") {
      return { name, type: "file", size: node.size, mtime: node.mtime, mode: 0o644, nlink: 1, unique };
    }
    let subdirs = 0;
    for (const child of node.children.values()) if (child.type === "dir") subdirs++;
    return { name, type: "dir", size: 4096, mtime: node.mtime, mode: 0o755, nlink: 2 + subdirs, unique };
  }

  #newFile(): FileNode {
    return { type: "file", content: Buffer.alloc(0), size: 0, mtime: new Date(), ino: this.#nextIno++ };
  }

  #newDir(): DirNode {
    return { type: "dir", children: new Map(), mtime: new Date(), ino: this.#nextIno++ };
  }
}

function assertOffset(offset: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`offset must be a non-negative integer, got ${offset}`);
  }
}

/** Truncates or zero-extends, as ftruncate(2) does. */
function resize(file: FileNode, size: number): void {
  if (size > file.size) {
    ensureCapacity(file, size);
    file.content.fill(0, file.size, size);
  }
  file.size = size;
  file.mtime = new Date();
}

function ensureCapacity(file: FileNode, size: number): void {
  if (size <= file.content.length) return;
  const grown = Buffer.alloc(Math.max(size, file.content.length * 2, 4096));
  file.content.copy(grown, 0, 0, file.size);
  file.content = grown;
}

interface UploadSpace {
  /** Throws `no-space` if growing the files by `bytes` would exceed the capacity. */
  reserve(bytes: number, path: string): void;
  release(): void;
}

class MemoryUpload implements WriteHandle {
  readonly stream: Writable;
  #state: "open" | "committed" | "aborted" = "open";

  constructor(
    private readonly space: UploadSpace,
    file: FileNode,
    position: number | null,
    private readonly path: string,
    private readonly publish: (() => void) | null,
  ) {
    this.stream = new Writable({
      highWaterMark: CHUNK_BYTES,
      write: (chunk: Buffer, _encoding, callback) => {
        const at = position ?? file.size;
        try {
          space.reserve(at + chunk.length - file.size, path);
        } catch (err) {
          callback(err as Error);
          return;
        }
        ensureCapacity(file, at + chunk.length);
        chunk.copy(file.content, at);
        file.size = Math.max(file.size, at + chunk.length);
        file.mtime = new Date();
        if (position !== null) position += chunk.length;
        callback();
      },
    });
  }

  async commit(): Promise<void> {
    if (this.#state !== "open") throw fail("io", `commit (already ${this.#state})`, this.path);
    if (this.stream.errored) throw this.stream.errored;
    if (!this.stream.writableFinished) throw fail("io", "commit (stream not finished)", this.path);
    this.publish?.();
    this.space.release();
    this.#state = "committed";
  }

  async abort(): Promise<void> {
    if (this.#state !== "open") return;
    this.#state = "aborted";
    this.stream.destroy();
    this.space.release();
  }
}
