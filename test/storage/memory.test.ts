import { describe, expect, it } from "vitest";
import { MemoryStorage } from "../../core/storage/memory.ts";
import { describeStorage, endUpload, expectKind, get, put, writeChunk } from "./storage.case.ts";

describeStorage("MemoryStorage", () => new MemoryStorage());

describe("MemoryStorage only", () => {
  it("deny() makes a path and everything below it answer denied", async () => {
    const storage = new MemoryStorage();
    await storage.mkdir("/private");
    await put(storage, "/private/file", "x");
    storage.deny("/private");
    await expectKind(storage.stat("/private"), "denied");
    await expectKind(storage.list("/private"), "denied");
    await expectKind(storage.read("/private/file"), "denied");
    await expectKind(storage.write("/private/new", "create"), "denied");
    await expectKind(storage.mkdir("/private/sub"), "denied");
    await expectKind(storage.remove("/private/file"), "denied");
    await expectKind(storage.rmdir("/private"), "denied");
    await expectKind(storage.rename("/private/file", "/file"), "denied");
    await expectKind(storage.setMtime("/private", new Date()), "denied");
    expect((await storage.list("/")).map((e) => e.name)).toEqual(["private"]);
    await expectKind(storage.stat("/privateer"), "not-found");

    storage.deny("/private", false);
    expect(await get(storage, "/private/file")).toBe("x");
  });

  it("a full store fails the upload stream and commit with no-space", async () => {
    const storage = new MemoryStorage({ capacityBytes: 10 });
    await put(storage, "/a", "12345678");
    const handle = await storage.write("/b", "create");
    const streamError = writeChunk(handle, "too much");
    await expectKind(streamError, "no-space");
    await expectKind(handle.commit(), "no-space");
    await handle.abort();
    await put(storage, "/c", "12");
    await expectKind(put(storage, "/d", "3"), "no-space");
  });

  it("a replace upload takes room until it ends, and none after an abort", async () => {
    const storage = new MemoryStorage({ capacityBytes: 10 });
    await put(storage, "/a", "123456");
    const handle = await storage.write("/a", "replace");
    await writeChunk(handle, "abcd");
    await expectKind(put(storage, "/b", "x"), "no-space");
    await handle.abort();
    await put(storage, "/b", "wxyz");
    expect(await get(storage, "/a")).toBe("123456");

    await storage.remove("/b");
    const replacing = await storage.write("/a", "replace");
    await writeChunk(replacing, "ABCD");
    await endUpload(replacing);
    await replacing.commit();
    await put(storage, "/c", "123456");
    expect(await get(storage, "/a")).toBe("ABCD");
  });

  it("a replace whose folder vanished meanwhile fails on commit", async () => {
    const storage = new MemoryStorage();
    await storage.mkdir("/dir");
    const handle = await storage.write("/dir/file", "replace");
    await storage.rmdir("/dir");
    await endUpload(handle);
    await expectKind(handle.commit(), "not-found");
    await handle.abort();
  });

  it("reports invalid-path for a name over 255 UTF-8 bytes, not characters", async () => {
    const storage = new MemoryStorage();
    await storage.mkdir("/" + "é".repeat(127));
    await expectKind(storage.mkdir("/" + "é".repeat(128)), "invalid-path");
  });
});
