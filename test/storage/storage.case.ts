/**
 * The behaviour every Storage backend shares, run against each of them (local.test.ts,
 * memory.test.ts) the way Hono runs common.case.test.ts against every runtime.
 */
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { pipeline } from "node:stream/promises";
import { beforeEach, describe, expect, it } from "vitest";
import {
  StorageError,
  type Storage,
  type StorageErrorKind,
  type WriteHandle,
  type WriteMode,
} from "../../core/storage/types.ts";

/** Uploads `content` to `path` and commits. */
export async function put(
  storage: Storage,
  path: string,
  content: string | Buffer,
  mode: WriteMode = "create",
  offset?: number,
): Promise<void> {
  const handle = await storage.write(path, mode, offset);
  await pipeline(Readable.from([Buffer.from(content)]), handle.stream);
  await handle.commit();
}

/** The content of `path` from `offset`, as a Buffer. */
export async function getBytes(storage: Storage, path: string, offset?: number): Promise<Buffer> {
  return buffer(await storage.read(path, offset));
}

/** The content of `path` from `offset`, as UTF-8 text. */
export async function get(storage: Storage, path: string, offset?: number): Promise<string> {
  return (await getBytes(storage, path, offset)).toString("utf8");
}

/** Writes `content` into an open upload and waits until the backend has taken it. */
export function writeChunk(handle: WriteHandle, content: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    // The write callback sees a failure before 'error' is emitted: the listener must stay
    // for that event, or it would be thrown as unhandled.
    const onError = (err: Error): void => reject(err);
    handle.stream.once("error", onError);
    handle.stream.write(Buffer.from(content), (err) => {
      if (err) return reject(err);
      handle.stream.off("error", onError);
      resolve();
    });
  });
}

/** Ends an open upload and waits until it finished. */
export async function endUpload(handle: WriteHandle): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    handle.stream.once("error", reject);
    handle.stream.end(resolve);
  });
}

/** Asserts that `work` rejects with a StorageError of `kind`. */
export async function expectKind(work: Promise<unknown>, kind: StorageErrorKind): Promise<StorageError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected a StorageError "${kind}"`).toBeInstanceOf(StorageError);
  expect((err as StorageError).kind).toBe(kind);
  return err as StorageError;
}

async function names(storage: Storage, path: string): Promise<string[]> {
  return (await storage.list(path)).map((e) => e.name).sort();
}

const ALL_MODES: WriteMode[] = ["create", "replace", "append", "resume"];

/** Registers the shared suite for one backend; `makeStorage` gives a fresh, empty storage per test. */
export function describeStorage(name: string, makeStorage: () => Storage | Promise<Storage>): void {
  describe(`${name} (shared storage suite)`, () => {
    let storage: Storage;

    beforeEach(async () => {
      storage = await makeStorage();
    });

    describe("stat", () => {
      it("describes the root as a folder named /", async () => {
        const root = await storage.stat("/");
        expect(root.type).toBe("dir");
        expect(root.name).toBe("/");
      });

      it("describes a file", async () => {
        await put(storage, "/hello.txt", "hello");
        const entry = await storage.stat("/hello.txt");
        expect(entry).toMatchObject({ name: "hello.txt", type: "file", size: 5 });
        expect(entry.mtime).toBeInstanceOf(Date);
        expect(entry.mode & 0o777).toBeGreaterThan(0);
        expect(entry.nlink).toBeGreaterThanOrEqual(1);
        expect(entry.unique).not.toBe("");
      });

      it("describes a folder", async () => {
        await storage.mkdir("/docs");
        expect(await storage.stat("/docs")).toMatchObject({ name: "docs", type: "dir" });
      });

      it("gives each file its own unique value, and the same one each time", async () => {
        await put(storage, "/a", "1");
        await put(storage, "/b", "2");
        const a = (await storage.stat("/a")).unique;
        expect((await storage.stat("/b")).unique).not.toBe(a);
        expect((await storage.stat("/a")).unique).toBe(a);
      });

      it("reports not-found and not-a-directory", async () => {
        await put(storage, "/file", "x");
        await expectKind(storage.stat("/missing"), "not-found");
        await expectKind(storage.stat("/missing/deeper"), "not-found");
        await expectKind(storage.stat("/file/inside"), "not-a-directory");
      });

      it("reports invalid-path for a name longer than the file system allows", async () => {
        await expectKind(storage.stat("/" + "n".repeat(300)), "invalid-path");
      });

      it("handles unicode and spaces in names", async () => {
        await storage.mkdir("/ Ordner mit Leerzeichen ");
        await put(storage, "/ Ordner mit Leerzeichen /日本語 🎵.txt", "ok");
        expect(await storage.stat("/ Ordner mit Leerzeichen /日本語 🎵.txt")).toMatchObject({
          name: "日本語 🎵.txt",
          size: 2,
        });
      });
    });

    describe("list", () => {
      it("lists an empty root", async () => {
        expect(await storage.list("/")).toEqual([]);
      });

      it("lists files and folders with their types and sizes", async () => {
        await storage.mkdir("/dir");
        await put(storage, "/a.txt", "abc");
        await put(storage, "/dir/inner.txt", "12345");
        const entries = (await storage.list("/")).sort((x, y) => x.name.localeCompare(y.name));
        expect(entries.map((e) => [e.name, e.type])).toEqual([
          ["a.txt", "file"],
          ["dir", "dir"],
        ]);
        expect(entries[0]!.size).toBe(3);
        expect(await storage.list("/dir")).toEqual([await storage.stat("/dir/inner.txt")]);
      });

      it("refuses a file and a missing folder", async () => {
        await put(storage, "/file", "x");
        await expectKind(storage.list("/file"), "not-a-directory");
        await expectKind(storage.list("/missing"), "not-found");
      });

      it("lists a large folder", async () => {
        await storage.mkdir("/many");
        await Promise.all(Array.from({ length: 150 }, (_, i) => put(storage, `/many/f${i}`, String(i))));
        const entries = await storage.list("/many");
        expect(entries).toHaveLength(150);
        expect(entries.every((e) => e.type === "file")).toBe(true);
      });
    });

    describe("read", () => {
      beforeEach(async () => {
        await put(storage, "/digits.txt", "0123456789");
      });

      it("reads a whole file", async () => {
        expect(await get(storage, "/digits.txt")).toBe("0123456789");
      });

      it("reads from an offset (REST)", async () => {
        expect(await get(storage, "/digits.txt", 4)).toBe("456789");
        expect(await get(storage, "/digits.txt", 10)).toBe("");
      });

      it("allows an offset beyond the end: an empty stream", async () => {
        expect(await get(storage, "/digits.txt", 1000)).toBe("");
      });

      it("reads a file larger than one chunk, byte for byte", async () => {
        const content = Buffer.alloc(700 * 1024 + 17);
        for (let i = 0; i < content.length; i++) content[i] = (i * 31 + 7) & 0xff;
        await put(storage, "/big.bin", content);
        expect((await getBytes(storage, "/big.bin")).equals(content)).toBe(true);
        expect((await getBytes(storage, "/big.bin", 300_000)).equals(content.subarray(300_000))).toBe(true);
      });

      it("refuses a folder and a missing file", async () => {
        await storage.mkdir("/dir");
        await expectKind(storage.read("/dir"), "is-a-directory");
        await expectKind(storage.read("/"), "is-a-directory");
        await expectKind(storage.read("/missing"), "not-found");
        await expectKind(storage.read("/digits.txt/x"), "not-a-directory");
      });
    });

    describe("write", () => {
      it("creates a file", async () => {
        await put(storage, "/new.txt", "fresh");
        expect(await get(storage, "/new.txt")).toBe("fresh");
      });

      it("creates an empty file from an empty upload", async () => {
        await put(storage, "/empty", "");
        expect(await storage.stat("/empty")).toMatchObject({ type: "file", size: 0 });
      });

      it("takes many small chunks written at once", async () => {
        const handle = await storage.write("/chunks", "create");
        handle.stream.cork();
        for (let i = 0; i < 100; i++) handle.stream.write(`${i % 10}`);
        process.nextTick(() => handle.stream.uncork());
        await endUpload(handle);
        await handle.commit();
        expect(await get(storage, "/chunks")).toBe("0123456789".repeat(10));
      });

      it("create over an existing file replaces it instead of writing into it", async () => {
        await put(storage, "/race.txt", "old content that is long");
        await put(storage, "/race.txt", "new", "create");
        expect(await get(storage, "/race.txt")).toBe("new");
      });

      it("create: an aborted upload leaves the partial file for REST", async () => {
        const handle = await storage.write("/partial.bin", "create");
        await writeChunk(handle, "first half");
        await handle.abort();
        expect(await get(storage, "/partial.bin")).toBe("first half");
      });

      it("replace: the new content appears only on commit", async () => {
        await put(storage, "/doc.txt", "version 1");
        const handle = await storage.write("/doc.txt", "replace");
        await writeChunk(handle, "version 2, longer");
        expect(await get(storage, "/doc.txt")).toBe("version 1");
        await endUpload(handle);
        await handle.commit();
        expect(await get(storage, "/doc.txt")).toBe("version 2, longer");
        expect(await names(storage, "/")).toEqual(["doc.txt"]);
      });

      it("replace: an aborted upload leaves the old file byte-identical", async () => {
        const old = Buffer.from([0, 1, 2, 255, 254, 10, 13, 10, 0]);
        await put(storage, "/keep.bin", old);
        const before = await storage.stat("/keep.bin");
        const handle = await storage.write("/keep.bin", "replace");
        await writeChunk(handle, "garbage that must never be seen");
        await handle.abort();
        expect((await getBytes(storage, "/keep.bin")).equals(old)).toBe(true);
        expect((await storage.stat("/keep.bin")).size).toBe(before.size);
        expect(await names(storage, "/")).toEqual(["keep.bin"]);
      });

      it("replace of a missing file creates it", async () => {
        await put(storage, "/was-missing", "here now", "replace");
        expect(await get(storage, "/was-missing")).toBe("here now");
      });

      it("append: adds at the end", async () => {
        await put(storage, "/log.txt", "line 1\n");
        await put(storage, "/log.txt", "line 2\n", "append");
        await put(storage, "/log.txt", "line 3\n", "append");
        expect(await get(storage, "/log.txt")).toBe("line 1\nline 2\nline 3\n");
      });

      it("append: creates a missing file", async () => {
        await put(storage, "/new-log", "first", "append");
        expect(await get(storage, "/new-log")).toBe("first");
      });

      it("append: an aborted upload keeps what arrived", async () => {
        await put(storage, "/log.txt", "start-");
        const handle = await storage.write("/log.txt", "append");
        await writeChunk(handle, "partial");
        await handle.abort();
        expect(await get(storage, "/log.txt")).toBe("start-partial");
      });

      it("resume: truncates at the offset and writes from there", async () => {
        await put(storage, "/movie.bin", "0123456789");
        await put(storage, "/movie.bin", "ab", "resume", 4);
        expect(await get(storage, "/movie.bin")).toBe("0123ab");
      });

      it("resume: at the current size continues the file", async () => {
        await put(storage, "/movie.bin", "01234");
        await put(storage, "/movie.bin", "56789", "resume", 5);
        expect(await get(storage, "/movie.bin")).toBe("0123456789");
      });

      it("resume: at 0 rewrites the whole file in place", async () => {
        await put(storage, "/movie.bin", "0123456789");
        await put(storage, "/movie.bin", "xy", "resume", 0);
        expect(await get(storage, "/movie.bin")).toBe("xy");
      });

      it("resume: beyond the end fills the gap with zeros", async () => {
        await put(storage, "/sparse", "ab");
        await put(storage, "/sparse", "z", "resume", 5);
        expect([...(await getBytes(storage, "/sparse"))]).toEqual([97, 98, 0, 0, 0, 122]);
      });

      it("resume: creates a missing file", async () => {
        await put(storage, "/resumed", "data", "resume", 0);
        expect(await get(storage, "/resumed")).toBe("data");
      });

      it("resume: an aborted upload keeps what arrived", async () => {
        await put(storage, "/movie.bin", "0123456789");
        const handle = await storage.write("/movie.bin", "resume", 3);
        await writeChunk(handle, "XY");
        await handle.abort();
        expect(await get(storage, "/movie.bin")).toBe("012XY");
      });

      it.each(ALL_MODES)("%s: a missing parent folder is not-found", async (mode) => {
        await expectKind(storage.write("/no/such/dir/file", mode), "not-found");
      });

      it.each(ALL_MODES)("%s: a file as parent is not-a-directory", async (mode) => {
        await put(storage, "/file", "x");
        await expectKind(storage.write("/file/child", mode), "not-a-directory");
      });

      it.each(ALL_MODES)("%s: a folder as target is is-a-directory", async (mode) => {
        await storage.mkdir("/dir");
        await expectKind(storage.write("/dir", mode), "is-a-directory");
        await expectKind(storage.write("/", mode), "is-a-directory");
        expect((await storage.stat("/dir")).type).toBe("dir");
      });

      it("refuses a name longer than the file system allows", async () => {
        await expectKind(storage.write("/" + "n".repeat(300), "create"), "invalid-path");
      });

      it("writes into a subfolder", async () => {
        await storage.mkdir("/sub");
        await put(storage, "/sub/file", "in sub");
        expect(await get(storage, "/sub/file")).toBe("in sub");
      });

      it("commit before the stream finished is refused", async () => {
        const handle = await storage.write("/early", "create");
        await writeChunk(handle, "x");
        await expectKind(handle.commit(), "io");
        await handle.abort();
      });

      it("a handle ends once: commit after abort fails, abort after commit does nothing", async () => {
        const aborted = await storage.write("/one", "create");
        await aborted.abort();
        await aborted.abort();
        await expectKind(aborted.commit(), "io");

        const committed = await storage.write("/two", "replace");
        await endUpload(committed);
        await committed.commit();
        await committed.abort();
        expect(await get(storage, "/two")).toBe("");
      });
    });

    describe("mkdir", () => {
      it("creates a folder", async () => {
        await storage.mkdir("/new");
        expect((await storage.stat("/new")).type).toBe("dir");
        await storage.mkdir("/new/deeper");
        expect(await names(storage, "/new")).toEqual(["deeper"]);
      });

      it("reports exists for a folder, a file and the root", async () => {
        await storage.mkdir("/dir");
        await put(storage, "/file", "x");
        await expectKind(storage.mkdir("/dir"), "exists");
        await expectKind(storage.mkdir("/file"), "exists");
        await expectKind(storage.mkdir("/"), "exists");
      });

      it("is not recursive", async () => {
        await expectKind(storage.mkdir("/a/b/c"), "not-found");
      });

      it("reports not-a-directory below a file, invalid-path for a long name", async () => {
        await put(storage, "/file", "x");
        await expectKind(storage.mkdir("/file/sub"), "not-a-directory");
        await expectKind(storage.mkdir("/" + "d".repeat(256)), "invalid-path");
      });
    });

    describe("rmdir", () => {
      it("removes an empty folder", async () => {
        await storage.mkdir("/gone");
        await storage.rmdir("/gone");
        await expectKind(storage.stat("/gone"), "not-found");
      });

      it("refuses a folder that is not empty", async () => {
        await storage.mkdir("/full");
        await put(storage, "/full/file", "x");
        await expectKind(storage.rmdir("/full"), "not-empty");
        expect(await get(storage, "/full/file")).toBe("x");
      });

      it("refuses a file, a missing folder and the root", async () => {
        await put(storage, "/file", "x");
        await expectKind(storage.rmdir("/file"), "not-a-directory");
        await expectKind(storage.rmdir("/missing"), "not-found");
        await expectKind(storage.rmdir("/"), "denied");
      });
    });

    describe("remove", () => {
      it("removes a file", async () => {
        await put(storage, "/file", "x");
        await storage.remove("/file");
        await expectKind(storage.stat("/file"), "not-found");
      });

      it("refuses a folder, a missing file and the root", async () => {
        await storage.mkdir("/dir");
        await expectKind(storage.remove("/dir"), "is-a-directory");
        await expectKind(storage.remove("/missing"), "not-found");
        await expectKind(storage.remove("/"), "is-a-directory");
        await expectKind(storage.remove("/missing/file"), "not-found");
        expect((await storage.stat("/dir")).type).toBe("dir");
      });
    });

    describe("rename", () => {
      it("renames a file", async () => {
        await put(storage, "/old.txt", "content");
        await storage.rename("/old.txt", "/new.txt");
        expect(await get(storage, "/new.txt")).toBe("content");
        await expectKind(storage.stat("/old.txt"), "not-found");
      });

      it("moves a file into another folder", async () => {
        await storage.mkdir("/dest");
        await put(storage, "/file", "moved");
        await storage.rename("/file", "/dest/file2");
        expect(await get(storage, "/dest/file2")).toBe("moved");
      });

      it("moves a folder with its content", async () => {
        await storage.mkdir("/src");
        await put(storage, "/src/inner", "deep");
        await storage.rename("/src", "/dst");
        expect(await get(storage, "/dst/inner")).toBe("deep");
        await expectKind(storage.stat("/src"), "not-found");
      });

      it("overwrites an existing file, like rename(2)", async () => {
        await put(storage, "/a", "from a");
        await put(storage, "/b", "from b");
        await storage.rename("/a", "/b");
        expect(await get(storage, "/b")).toBe("from a");
        expect(await names(storage, "/")).toEqual(["b"]);
      });

      it("renaming onto itself changes nothing", async () => {
        await put(storage, "/same", "x");
        await storage.rename("/same", "/same");
        expect(await get(storage, "/same")).toBe("x");
      });

      it("reports not-found for a missing source or target folder", async () => {
        await put(storage, "/file", "x");
        await expectKind(storage.rename("/missing", "/other"), "not-found");
        await expectKind(storage.rename("/file", "/no/such/place"), "not-found");
        expect(await get(storage, "/file")).toBe("x");
      });

      it("refuses to put a file over a folder and a folder over a file", async () => {
        await put(storage, "/file", "x");
        await storage.mkdir("/dir");
        await put(storage, "/dir/keep", "k");
        await storage.mkdir("/empty");
        await expectKind(storage.rename("/file", "/dir"), "is-a-directory");
        await expectKind(storage.rename("/file", "/empty"), "is-a-directory");
        await expectKind(storage.rename("/dir", "/file"), "not-a-directory");
      });

      it("replaces an empty folder but not a full one", async () => {
        await storage.mkdir("/a");
        await put(storage, "/a/x", "x");
        await storage.mkdir("/empty");
        await storage.mkdir("/full");
        await put(storage, "/full/y", "y");
        await expectKind(storage.rename("/a", "/full"), "not-empty");
        await storage.rename("/a", "/empty");
        expect(await get(storage, "/empty/x")).toBe("x");
      });

      it("refuses to move a folder into itself", async () => {
        await storage.mkdir("/a");
        await storage.mkdir("/a/b");
        await expectKind(storage.rename("/a", "/a/b/c"), "invalid-path");
        expect((await storage.stat("/a/b")).type).toBe("dir");
      });

      it("refuses to rename the root", async () => {
        await storage.mkdir("/a");
        await expectKind(storage.rename("/", "/x"), "denied");
        await expectKind(storage.rename("/a", "/"), "denied");
      });
    });

    describe("setMtime", () => {
      const when = new Date("2021-03-04T05:06:07.000Z");

      it("sets the modification time of a file and of a folder", async () => {
        await put(storage, "/file", "x");
        await storage.mkdir("/dir");
        await storage.setMtime("/file", when);
        await storage.setMtime("/dir", when);
        expect((await storage.stat("/file")).mtime.getTime()).toBe(when.getTime());
        expect((await storage.stat("/dir")).mtime.getTime()).toBe(when.getTime());
        expect(await get(storage, "/file")).toBe("x");
      });

      it("reports not-found", async () => {
        await expectKind(storage.setMtime("/missing", when), "not-found");
      });
    });
  });
}
