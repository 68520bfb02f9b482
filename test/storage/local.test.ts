import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { chmod, mkdir, mkdtemp, open, readFile, readdir, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { LocalStorage, storageErrorFromErrno, uploadWriteMode } from "../../core/storage/local.ts";
import { StorageError, type StorageErrorKind, type WriteMode } from "../../core/storage/types.ts";
import { describeStorage, endUpload, expectKind, get, put, writeChunk } from "./storage.case.ts";

const scratch: string[] = [];

async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ftpi-local-"));
  scratch.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

describeStorage("LocalStorage", async () => new LocalStorage(await scratchDir()));

describe("LocalStorage on disk", () => {
  let base: string;
  let root: string;
  let storage: LocalStorage;

  beforeEach(async () => {
    base = await scratchDir();
    root = join(base, "root");
    await mkdir(root);
    storage = new LocalStorage(root);
  });

  it("reports unique as dev.ino in hex", async () => {
    await writeFile(join(root, "f"), "x");
    const real = await stat(join(root, "f"));
    expect((await storage.stat("/f")).unique).toBe(`${real.dev.toString(16)}.${real.ino.toString(16)}`);
  });

  it("reports the permission bits", async () => {
    await writeFile(join(root, "f"), "x");
    await chmod(join(root, "f"), 0o640);
    expect((await storage.stat("/f")).mode).toBe(0o640);
  });

  it("replace writes a hidden sibling and renames it over the target", async () => {
    await writeFile(join(root, "doc.txt"), "old");
    await chmod(join(root, "doc.txt"), 0o600);
    const handle = await storage.write("/doc.txt", "replace");
    await writeChunk(handle, "new");
    const during = await readdir(root);
    expect(during).toHaveLength(2);
    expect(during.find((n) => n !== "doc.txt")).toMatch(/^\.doc\.txt\.ftpi-[0-9a-f]+\.part$/);
    await endUpload(handle);
    await handle.commit();
    expect(await readdir(root)).toEqual(["doc.txt"]);
    expect(await readFile(join(root, "doc.txt"), "utf8")).toBe("new");
    expect((await stat(join(root, "doc.txt"))).mode & 0o777).toBe(0o600);
  });

  it("replace of a name near NAME_MAX still finds room for its temporary file", async () => {
    const name = "n".repeat(250);
    await writeFile(join(root, name), "old");
    await put(storage, `/${name}`, "new", "replace");
    expect(await readFile(join(root, name), "utf8")).toBe("new");
    expect(await readdir(root)).toEqual([name]);
  });

  it("an ENOSPC from the disk surfaces as no-space on the stream and on commit", async () => {
    await writeFile(join(root, "old"), "old content");
    const probe = await open(join(root, "old"), "r");
    const fileHandlePrototype = Object.getPrototypeOf(probe) as { write: unknown; writev: unknown };
    await probe.close();
    const enospc = Object.assign(new Error(`ENOSPC: no space left on device, write '${root}/x'`), { code: "ENOSPC" });
    // Uploads write synchronously while the disk is fast, through the thread pool otherwise.
    const write = vi.spyOn(fileHandlePrototype as { write(): Promise<never> }, "write").mockRejectedValue(enospc);
    const writeSync = vi.spyOn(fs, "writeSync").mockImplementation(() => {
      throw enospc;
    });
    try {
      const handle = await storage.write("/old", "replace");
      const failure = await expectKind(writeChunk(handle, "data"), "no-space");
      expect(failure.message).not.toContain(root);
      expect(failure.cause).toBe(enospc);
      await expectKind(handle.commit(), "no-space");
      await handle.abort();
    } finally {
      write.mockRestore();
      writeSync.mockRestore();
    }
    expect(await readdir(root)).toEqual(["old"]);
    expect(await readFile(join(root, "old"), "utf8")).toBe("old content");
  });

  it("writes uploads synchronously while the disk is fast, and through the thread pool once a write was slow", async () => {
    const fileHandlePrototype = Object.getPrototypeOf(await open(join(root, "probe"), "w").then(async (h) => (await h.close(), h))) as {
      write: (...args: unknown[]) => Promise<unknown>;
    };
    const realWriteSync = fs.writeSync;
    let slow = true;
    const writeSync = vi.spyOn(fs, "writeSync").mockImplementation(((...args: Parameters<typeof fs.writeSync>) => {
      // A card under writeback pressure: this one write blocks for 20 ms.
      if (slow) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      slow = false;
      return realWriteSync(...args);
    }) as typeof fs.writeSync);
    const write = vi.spyOn(fileHandlePrototype, "write");
    uploadWriteMode.poolUntil = 0; // whatever earlier tests on a busy machine did
    try {
      const handle = await storage.write("/slow.bin", "create");
      await writeChunk(handle, "first");
      expect(writeSync).toHaveBeenCalledTimes(1);
      expect(write).not.toHaveBeenCalled();
      await writeChunk(handle, "second");
      expect(writeSync).toHaveBeenCalledTimes(1);
      expect(write).toHaveBeenCalled();
      await endUpload(handle);
      await handle.commit();
    } finally {
      writeSync.mockRestore();
      write.mockRestore();
      uploadWriteMode.poolUntil = 0;
    }
    expect(await readFile(join(root, "slow.bin"), "utf8")).toBe("firstsecond");
  });

  it.each([
    { syncUploads: undefined, syncs: true },
    { syncUploads: true, syncs: true },
    { syncUploads: false, syncs: false },
  ])("fsyncs an upload before it commits unless syncUploads is false ($syncUploads)", async ({ syncUploads, syncs }) => {
    const probe = await open(join(root, "probe"), "w");
    const fileHandlePrototype = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
    await probe.close();
    const sync = vi.spyOn(fileHandlePrototype, "sync");
    let calls: number;
    try {
      const local = new LocalStorage(root, { syncUploads });
      for (const mode of ["create", "replace"] as const) {
        const handle = await local.write("/synced.txt", mode);
        await writeChunk(handle, mode);
        await endUpload(handle);
        await handle.commit();
      }
      calls = sync.mock.calls.length;
    } finally {
      sync.mockRestore();
    }
    expect(calls).toBe(syncs ? 2 : 0);
    expect(await readFile(join(root, "synced.txt"), "utf8")).toBe("replace");
  });

  it("maps errno codes to kinds without naming the real path", () => {
    const table: Array<[string, StorageErrorKind]> = [
      ["ENOENT", "not-found"],
      ["EEXIST", "exists"],
      ["ENOTDIR", "not-a-directory"],
      ["EISDIR", "is-a-directory"],
      ["ENOTEMPTY", "not-empty"],
      ["EACCES", "denied"],
      ["EPERM", "denied"],
      ["EROFS", "denied"],
      ["ENOSPC", "no-space"],
      ["EDQUOT", "no-space"],
      ["EFBIG", "no-space"],
      ["ENAMETOOLONG", "invalid-path"],
      ["EINVAL", "invalid-path"],
      ["EIO", "io"],
      ["EXDEV", "io"],
      ["", "io"],
    ];
    for (const [code, kind] of table) {
      const err = storageErrorFromErrno(Object.assign(new Error(`${code}: /srv/real/path`), { code }), "/virtual", "op");
      expect(err).toBeInstanceOf(StorageError);
      expect(err.kind, code).toBe(kind);
      expect(err.message).toContain("/virtual");
      expect(err.message).not.toContain("/srv/real");
    }
    const already = new StorageError("exists", "x");
    expect(storageErrorFromErrno(already, "/y", "op")).toBe(already);
    expect(storageErrorFromErrno("weird", "/y", "op").kind).toBe("io");
  });

  it("reports not-found when the root folder is missing, and recovers once it exists", async () => {
    const late = new LocalStorage(join(base, "late"));
    await expectKind(late.stat("/"), "not-found");
    await mkdir(join(base, "late"));
    expect((await late.stat("/")).type).toBe("dir");
  });

  it("works when the root itself is a symlink", async () => {
    await writeFile(join(root, "file"), "via link");
    await symlink(root, join(base, "root-link"));
    const linked = new LocalStorage(join(base, "root-link"));
    expect(await get(linked, "/file")).toBe("via link");
    await put(linked, "/new", "written");
    expect(await readFile(join(root, "new"), "utf8")).toBe("written");
  });

  it("refuses to read or write a FIFO", async () => {
    try {
      execFileSync("mkfifo", [join(root, "pipe")]);
    } catch {
      return;
    }
    await expectKind(storage.read("/pipe"), "denied");
    await expectKind(storage.write("/pipe", "append"), "denied");
    expect((await storage.list("/")).map((e) => [e.name, e.type])).toEqual([["pipe", "other"]]);
  });

  describe("symlink jail", () => {
    let outside: string;

    beforeEach(async () => {
      outside = join(base, "outside");
      await mkdir(outside);
      await writeFile(join(outside, "secret.txt"), "secret");
      await mkdir(join(root, "sub"));
      await writeFile(join(root, "real.txt"), "inside");
      await writeFile(join(root, "sub", "deep.txt"), "deep");
      await symlink(join(outside, "secret.txt"), join(root, "out-file"));
      await symlink(outside, join(root, "out-dir"));
      await symlink("../outside", join(root, "out-relative"));
      await symlink("real.txt", join(root, "in-file"));
      await symlink("sub", join(root, "in-dir"));
      await symlink("../../outside", join(root, "sub", "escape"));
      await symlink("nowhere.txt", join(root, "dangling"));
      await symlink(join(outside, "planted.txt"), join(root, "dangling-out"));
      await symlink(join(outside, "new-dir", "x"), join(root, "dangling-out-deep"));
    });

    async function outsideUntouched(): Promise<void> {
      expect((await readdir(outside)).sort()).toEqual(["secret.txt"]);
      expect(await readFile(join(outside, "secret.txt"), "utf8")).toBe("secret");
    }

    it("refuses stat, read and setMtime through a link that leads out", async () => {
      for (const path of ["/out-file", "/out-dir/secret.txt", "/out-relative/secret.txt", "/sub/escape/secret.txt", "/in-dir/escape/secret.txt"]) {
        await expectKind(storage.stat(path), "denied");
        await expectKind(storage.read(path), "denied");
        await expectKind(storage.setMtime(path, new Date(0)), "denied");
      }
      await outsideUntouched();
    });

    it("refuses to change into or list a folder outside (CWD, LIST)", async () => {
      for (const path of ["/out-dir", "/out-relative", "/sub/escape", "/in-dir/escape"]) {
        await expectKind(storage.stat(path), "denied");
        await expectKind(storage.list(path), "denied");
      }
    });

    it.each<WriteMode>(["create", "replace", "append", "resume"])("refuses %s through a link that leads out", async (mode) => {
      await expectKind(storage.write("/out-file", mode), "denied");
      await expectKind(storage.write("/out-dir/new.txt", mode), "denied");
      await expectKind(storage.write("/out-dir/secret.txt", mode), "denied");
      await expectKind(storage.write("/sub/escape/new.txt", mode), "denied");
      await expectKind(storage.write("/dangling-out", mode), "denied");
      await expectKind(storage.write("/dangling-out-deep", mode), "denied");
      await outsideUntouched();
    });

    it("refuses mkdir, rmdir, remove and rename across a link that leads out", async () => {
      await expectKind(storage.mkdir("/out-dir/made"), "denied");
      await expectKind(storage.rmdir("/out-dir/anything"), "denied");
      await expectKind(storage.remove("/out-dir/secret.txt"), "denied");
      await expectKind(storage.rename("/out-dir/secret.txt", "/stolen.txt"), "denied");
      await expectKind(storage.rename("/real.txt", "/out-dir/real.txt"), "denied");
      await expectKind(storage.rename("/real.txt", "/sub/escape/real.txt"), "denied");
      await outsideUntouched();
      expect(await readFile(join(root, "real.txt"), "utf8")).toBe("inside");
    });

    it("lets a link that leads out be removed or renamed: only the link changes", async () => {
      await storage.rename("/out-file", "/renamed-link");
      await expectKind(storage.read("/renamed-link"), "denied");
      await storage.remove("/renamed-link");
      await storage.remove("/dangling-out");
      await outsideUntouched();
    });

    it("follows links that stay inside", async () => {
      expect(await storage.stat("/in-file")).toMatchObject({ type: "file", size: 6, name: "in-file" });
      expect(await get(storage, "/in-file")).toBe("inside");
      expect(await get(storage, "/in-dir/deep.txt")).toBe("deep");
      expect((await storage.stat("/in-dir")).type).toBe("dir");
      expect((await storage.list("/in-dir")).map((e) => e.name).sort()).toEqual(["deep.txt", "escape"]);
      await put(storage, "/in-dir/added.txt", "via link");
      expect(await readFile(join(root, "sub", "added.txt"), "utf8")).toBe("via link");
    });

    it("replace through a link inside updates the file it points to", async () => {
      await put(storage, "/in-file", "updated", "replace");
      expect(await readFile(join(root, "real.txt"), "utf8")).toBe("updated");
      expect(await get(storage, "/in-file")).toBe("updated");
    });

    it("a dangling link inside the root is not-found, and writing creates its target", async () => {
      await expectKind(storage.stat("/dangling"), "not-found");
      await expectKind(storage.read("/dangling"), "not-found");
      await put(storage, "/dangling", "now there", "append");
      expect(await readFile(join(root, "nowhere.txt"), "utf8")).toBe("now there");
    });

    it("lists links as what they point to, and links out or dangling as other", async () => {
      const entries = Object.fromEntries((await storage.list("/")).map((e) => [e.name, e]));
      expect(entries["in-file"]).toMatchObject({ type: "file", size: 6 });
      expect(entries["in-dir"]).toMatchObject({ type: "dir" });
      expect(entries["out-file"]).toMatchObject({ type: "other" });
      expect(entries["out-dir"]).toMatchObject({ type: "other" });
      expect(entries["out-relative"]).toMatchObject({ type: "other" });
      expect(entries["dangling"]).toMatchObject({ type: "other" });
      expect(entries["dangling-out"]).toMatchObject({ type: "other" });
      expect(entries["out-file"]!.size).not.toBe(6);
      expect((await storage.list("/sub")).find((e) => e.name === "escape")).toMatchObject({ type: "other" });
    });

    it("does not loop forever on a symlink cycle", async () => {
      await symlink("loop-b", join(root, "loop-a"));
      await symlink("loop-a", join(root, "loop-b"));
      await expectKind(storage.stat("/loop-a"), "io");
      await expectKind(storage.write("/loop-a", "append"), "io");
      expect((await storage.list("/")).find((e) => e.name === "loop-a")).toMatchObject({ type: "other" });
    });
  });
});
