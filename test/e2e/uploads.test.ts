import { createHash, randomBytes } from "node:crypto";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import type net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ControlClient, readAll } from "../support/control.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { sleep, waitFor } from "../support/wait.ts";

let t: TestServer;

beforeAll(async () => {
  t = await startServer();
});
afterAll(() => t.close());

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const onDisk = (name: string) => readFile(path.join(t.root, name));
const sizeOnDisk = (name: string) => stat(path.join(t.root, name)).then((s) => s.size, () => -1);
const PART = /\.ftpi-[0-9a-z]+\.part$/;

async function client(): Promise<ControlClient> {
  const c = await ControlClient.connect(t.port);
  await c.login();
  expect((await c.send("TYPE I")).code).toBe(200);
  return c;
}

function write(socket: net.Socket, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => socket.write(bytes, (err) => (err ? reject(err) : resolve())));
}

/** Starts an upload, sends `bytes` of it, and leaves the data connection open. */
async function startUpload(c: ControlClient, command: string, bytes: Buffer): Promise<net.Socket> {
  const data = await c.pasv();
  expect((await c.send(command)).code).toBe(150);
  await write(data, bytes);
  return data;
}

async function upload(c: ControlClient, command: string, bytes: Buffer): Promise<void> {
  const data = await startUpload(c, command, bytes);
  data.end();
  expect((await c.read()).code).toBe(226);
}

/** A client killed mid-transfer: both connections go at once. */
function kill(c: ControlClient, data: net.Socket): void {
  data.destroy();
  c.close();
}

async function listing(c: ControlClient, command: string): Promise<string[]> {
  const data = await c.pasv();
  const body = readAll(data);
  expect((await c.send(command)).code).toBe(150);
  expect((await c.read()).code).toBe(226);
  return (await body).toString("utf8").split("\r\n").filter(Boolean);
}

async function settled(): Promise<void> {
  await waitFor(() => t.server.sessions.size === 0, "every killed session to end");
}

describe("a client that disconnects mid-upload", () => {
  it("leaves a partial file that REST + STOR completes to the exact bytes", async () => {
    const payload = randomBytes(4 * 1024 * 1024);
    const half = payload.length / 2;
    const c = await client();
    const data = await startUpload(c, "STOR resumed.bin", payload.subarray(0, half));
    await waitFor(async () => (await sizeOnDisk("resumed.bin")) === half, "the first half on disk");
    kill(c, data);
    await settled();

    const again = await client();
    const size = Number((await again.send("SIZE resumed.bin")).text.split(" ")[1]);
    expect(size).toBe(half);
    expect((await again.send(`REST ${size}`)).code).toBe(350);
    await upload(again, "STOR resumed.bin", payload.subarray(size));
    expect(sha256(await onDisk("resumed.bin"))).toBe(sha256(payload));
    again.close();
  });

  it("leaves a partial file that APPE completes to the exact bytes", async () => {
    const payload = randomBytes(3 * 1024 * 1024 + 17);
    const part = 1024 * 1024 + 5;
    const c = await client();
    const data = await startUpload(c, "STOR appended.bin", payload.subarray(0, part));
    await waitFor(async () => (await sizeOnDisk("appended.bin")) === part, "the first part on disk");
    kill(c, data);
    await settled();

    const again = await client();
    const size = Number((await again.send("SIZE appended.bin")).text.split(" ")[1]);
    await upload(again, "APPE appended.bin", payload.subarray(size));
    expect(sha256(await onDisk("appended.bin"))).toBe(sha256(payload));
    again.close();
  });
});

describe("overwriting a complete file", () => {
  for (const [label, name] of [
    ["a short name", "precious.bin"],
    // Near NAME_MAX the temp file gets a shorter name of its own: it must stay hidden too.
    ["a name near NAME_MAX", `${"n".repeat(220)}.bin`],
  ] as const) {
    it(`with ${label}: a killed STOR leaves the old file byte-identical, and no temp file shows`, async () => {
      const old = randomBytes(2 * 1024 * 1024);
      await writeFile(path.join(t.root, name), old);
      const c = await client();
      const data = await startUpload(c, `STOR ${name}`, randomBytes(1024 * 1024));
      // The new bytes go to a temp file beside the old one, which nobody may see meanwhile.
      await waitFor(async () => (await readdir(t.root)).some((n) => PART.test(n)), "the upload's temp file");
      const watcher = await client();
      for (const command of ["LIST", "NLST", "MLSD", "LIST -a"]) {
        const lines = await listing(watcher, command);
        expect(lines.some((l) => l.includes(name))).toBe(true);
        expect(lines.filter((l) => /ftpi-|\.part/.test(l))).toEqual([]);
      }
      expect(sha256(await onDisk(name))).toBe(sha256(old));

      kill(c, data);
      await waitFor(() => t.server.sessions.size === 1, "the killed session to end");
      await waitFor(async () => !(await readdir(t.root)).some((n) => PART.test(n)), "the temp file to be removed");
      expect(sha256(await onDisk(name))).toBe(sha256(old));
      expect((await listing(watcher, "NLST")).filter((l) => PART.test(l))).toEqual([]);

      // A complete STOR does replace it.
      const fresh = randomBytes(1024 * 1024 + 3);
      await upload(watcher, `STOR ${name}`, fresh);
      expect(sha256(await onDisk(name))).toBe(sha256(fresh));
      watcher.close();
      await settled();
    });
  }

  it("a STOR killed right after its last byte still leaves the old file", async () => {
    const old = randomBytes(256 * 1024);
    await writeFile(path.join(t.root, "nearly.bin"), old);
    const c = await client();
    const data = await startUpload(c, "STOR nearly.bin", randomBytes(512 * 1024));
    // The data connection ends as if the upload were complete, but the control connection goes with it.
    data.end();
    c.close();
    await settled();
    await sleep(100);
    expect(sha256(await onDisk("nearly.bin"))).toBe(sha256(old));
    expect((await readdir(t.root)).filter((n) => PART.test(n))).toEqual([]);
  });
});

describe("concurrent uploads", () => {
  it("two clients uploading different files at once do not interfere", async () => {
    const a = randomBytes(8 * 1024 * 1024);
    const b = randomBytes(6 * 1024 * 1024 + 1);
    const [ca, cb] = [await client(), await client()];
    const [da, db] = [await startUpload(ca, "STOR a.bin", Buffer.alloc(0)), await startUpload(cb, "STOR b.bin", Buffer.alloc(0))];
    const chunk = 256 * 1024;
    // Interleave the two streams chunk by chunk, so both files are open and growing together.
    for (let i = 0; i < Math.max(a.length, b.length); i += chunk) {
      const writes: Promise<void>[] = [];
      if (i < a.length) writes.push(write(da, a.subarray(i, i + chunk)));
      if (i < b.length) writes.push(write(db, b.subarray(i, i + chunk)));
      await Promise.all(writes);
    }
    da.end();
    db.end();
    expect((await ca.read()).code).toBe(226);
    expect((await cb.read()).code).toBe(226);
    expect(sha256(await onDisk("a.bin"))).toBe(sha256(a));
    expect(sha256(await onDisk("b.bin"))).toBe(sha256(b));
    ca.close();
    cb.close();
  });
});
