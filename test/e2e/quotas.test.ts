// Quotas: what a home may hold (bytes, files), checked on STOR/APPE: refused with 552 at the
// quota, and an upload that crosses it stopped with 552, leaving a consistent file.
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import type net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Quota } from "../../core/auth/types.ts";
import { ControlClient, type ParsedReply } from "../support/control.ts";
import { account, startServer, type TestServer } from "../support/server.ts";

let servers: TestServer[] = [];
let clients: ControlClient[] = [];

afterEach(async () => {
  for (const c of clients) c.close();
  clients = [];
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(quota: Partial<Quota>): Promise<TestServer> {
  const t = await startServer({ accounts: async (root) => [await account("alice", root, { quota: { maxBytes: 0, maxFiles: 0, ...quota } })] });
  servers.push(t);
  return t;
}

async function client(t: TestServer): Promise<ControlClient> {
  const c = await ControlClient.connect(t.port);
  clients.push(c);
  await c.login();
  expect((await c.send("TYPE I")).code).toBe(200);
  return c;
}

/** Sends `bytes` and closes; the server may cut the connection first (a stopped upload). */
function send(socket: net.Socket, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    socket.on("error", () => resolve());
    socket.on("close", () => resolve());
    socket.end(bytes);
  });
}

/** STOR/APPE: the first reply, and the closing one when the transfer started. */
async function store(c: ControlClient, command: string, bytes: Buffer): Promise<{ first: ParsedReply; last: ParsedReply }> {
  const data = await c.pasv();
  const first = await c.send(command);
  if (first.code !== 150) {
    data.destroy();
    return { first, last: first };
  }
  await send(data, bytes);
  return { first, last: await c.read() };
}

const onDisk = (t: TestServer, name: string) => readFile(path.join(t.root, name));

describe("maxBytes", () => {
  it("an upload that crosses it stops with 552, its file holding exactly the bytes that fit", async () => {
    const t = await serve({ maxBytes: 100_000 });
    const c = await client(t);
    expect((await store(c, "STOR a.bin", randomBytes(60_000))).last.code).toBe(226);
    const b = randomBytes(60_000);
    const { first, last } = await store(c, "STOR b.bin", b);
    expect(first.code).toBe(150);
    expect(last.code).toBe(552);
    expect(last.text).toMatch(/Quota exceeded/);
    // The partial file is the first 40 000 bytes of the upload: resumable, never garbage.
    expect((await onDisk(t, "b.bin")).equals(b.subarray(0, 40_000))).toBe(true);

    // At the quota, the next upload is refused before any data connection is used.
    const full = await store(c, "STOR c.bin", randomBytes(10));
    expect(full.first.code).toBe(552);
    expect(full.first.text).toMatch(/100000 of 100000 bytes used/);

    // A delete makes room again.
    expect((await c.send("DELE a.bin")).code).toBe(250);
    expect((await store(c, "STOR c.bin", randomBytes(50_000))).last.code).toBe(226);
  });

  it("a replace-upload that crosses it keeps the old file and leaves no temp file", async () => {
    const t = await serve({ maxBytes: 100_000 });
    const c = await client(t);
    const old = randomBytes(50_000);
    expect((await store(c, "STOR a.bin", old)).last.code).toBe(226);
    // The replaced file's 50 000 bytes count as freed: the new one may have 100 000.
    expect((await store(c, "STOR a.bin", randomBytes(200_000))).last.code).toBe(552);
    expect((await onDisk(t, "a.bin")).equals(old)).toBe(true);
    expect(await readdir(t.root)).toEqual(["a.bin"]);
    const smaller = randomBytes(90_000);
    expect((await store(c, "STOR a.bin", smaller)).last.code).toBe(226);
    expect((await onDisk(t, "a.bin")).equals(smaller)).toBe(true);
  });

  it("APPE and REST+STOR count only what they add", async () => {
    const t = await serve({ maxBytes: 100_000 });
    const c = await client(t);
    const start = randomBytes(30_000);
    expect((await store(c, "STOR a.bin", start)).last.code).toBe(226);
    // Resuming at 10 000 cuts 20 000 bytes: 90 000 fit after it.
    expect((await c.send("REST 10000")).code).toBe(350);
    const tail = randomBytes(80_000);
    expect((await store(c, "STOR a.bin", tail)).last.code).toBe(226);
    expect((await onDisk(t, "a.bin")).length).toBe(90_000);
    const more = randomBytes(50_000);
    expect((await store(c, "APPE a.bin", more)).last.code).toBe(552);
    expect(await onDisk(t, "a.bin")).toEqual(Buffer.concat([start.subarray(0, 10_000), tail, more.subarray(0, 10_000)]));
  });

  it("counts what was in the home before the first upload, in every folder", async () => {
    const t = await serve({ maxBytes: 100_000 });
    await mkdir(path.join(t.root, "photos", "2024"), { recursive: true });
    await writeFile(path.join(t.root, "photos", "2024", "one.jpg"), randomBytes(45_000));
    await writeFile(path.join(t.root, "two.jpg"), randomBytes(45_000));
    const c = await client(t);
    const up = randomBytes(20_000);
    expect((await store(c, "STOR three.jpg", up)).last.code).toBe(552);
    expect((await onDisk(t, "three.jpg")).equals(up.subarray(0, 10_000))).toBe(true);
  });

  it("room made beside ftpi counts: an upload about to be refused walks the home again", async () => {
    const t = await serve({ maxBytes: 100_000 });
    const c = await client(t);
    expect((await store(c, "STOR a.bin", randomBytes(100_000))).last.code).toBe(226);
    await rm(path.join(t.root, "a.bin"));
    // Within seconds of the last walk the count is trusted…
    expect((await store(c, "STOR b.bin", randomBytes(10))).first.code).toBe(552);
    // …after that, a refusal is checked against the disk first.
    const realNow = Date.now;
    const later = vi.spyOn(Date, "now").mockImplementation(() => realNow() + 11_000);
    try {
      expect((await store(c, "STOR b.bin", randomBytes(60_000))).last.code).toBe(226);
    } finally {
      later.mockRestore();
    }
  });

  it("two sessions uploading at once share the quota: together they never pass it", async () => {
    const t = await serve({ maxBytes: 1_000_000 });
    const [a, b] = await Promise.all([client(t), client(t)]);
    const results = await Promise.all([store(a, "STOR a.bin", randomBytes(800_000)), store(b, "STOR b.bin", randomBytes(800_000))]);
    expect(results.map((r) => r.last.code)).toContain(552);
    const sizes = await Promise.all(["a.bin", "b.bin"].map((n) => onDisk(t, n).then((f) => f.length)));
    expect(sizes[0]! + sizes[1]!).toBe(1_000_000);
  });
});

describe("maxFiles", () => {
  it("refuses a new file with 552 at the limit; replacing a file and deleting one still work", async () => {
    const t = await serve({ maxFiles: 3 });
    await mkdir(path.join(t.root, "sub"));
    await writeFile(path.join(t.root, "sub", "one.txt"), "1");
    const c = await client(t);
    expect((await store(c, "STOR two.txt", Buffer.from("2"))).last.code).toBe(226);
    expect((await store(c, "STOR three.txt", Buffer.from("3"))).last.code).toBe(226);
    const refused = await store(c, "STOR four.txt", Buffer.from("4"));
    expect(refused.first.code).toBe(552);
    expect(refused.first.text).toMatch(/3 of 3 files/);
    expect((await store(c, "STOR two.txt", Buffer.from("two"))).last.code).toBe(226);
    expect((await c.send("MKD more")).code).toBe(257);
    expect((await c.send("DELE sub/one.txt")).code).toBe(250);
    expect((await store(c, "STOR four.txt", Buffer.from("4"))).last.code).toBe(226);
    expect((await store(c, "STOR more/five.txt", Buffer.from("5"))).first.code).toBe(552);
    // RNTO over a file removes one.
    expect((await c.send("RNFR four.txt")).code).toBe(350);
    expect((await c.send("RNTO three.txt")).code).toBe(250);
    expect((await store(c, "STOR more/five.txt", Buffer.from("5"))).last.code).toBe(226);
  });
});
