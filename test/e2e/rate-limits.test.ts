// Upload and download rate limits: per user (shared by all of the user's sessions) and for the
// whole server, on both download paths (reused buffers in TYPE I, the stream in TYPE A) and uploads.
import { createHash, randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import type net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Account } from "../../core/auth/types.ts";
import type { Limits } from "../../core/config/types.ts";
import { ControlClient, readAll } from "../support/control.ts";
import { account, startServer, type TestServer } from "../support/server.ts";

const KIB = 1024;
const RATE = 512 * KIB;
/** Measured time may be this far from the expected one: timers and a loaded test machine. */
const TOLERANCE = 0.25;

let servers: TestServer[] = [];
let clients: ControlClient[] = [];

afterEach(async () => {
  for (const c of clients) c.close();
  clients = [];
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

const LIMITS: Limits = {
  maxClients: 50,
  maxSessionsPerIp: 20,
  maxSessionsPerUser: 0,
  loginTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  maxLoginFailures: 3,
  passiveTimeoutMs: 10_000, dataTimeoutMs: 300_000,
  maxUploadRate: 0,
  maxDownloadRate: 0,
  maxHashSize: 4 * 1024 ** 3,
};

async function serve(limits: Partial<Limits>, accounts: (root: string) => Promise<Account[]>): Promise<TestServer> {
  const t = await startServer({ options: { limits: { ...LIMITS, ...limits } }, accounts });
  servers.push(t);
  return t;
}

async function client(t: TestServer, user = "alice", type = "I"): Promise<ControlClient> {
  const c = await ControlClient.connect(t.port);
  clients.push(c);
  await c.login(user);
  expect((await c.send(`TYPE ${type}`)).code).toBe(200);
  return c;
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** RETR `name`; the bytes and how long the transfer took, from the 150 to the last byte. */
async function download(c: ControlClient, name: string): Promise<{ body: Buffer; seconds: number }> {
  const data = await c.pasv();
  const body = readAll(data);
  expect((await c.send(`RETR ${name}`)).code).toBe(150);
  const started = performance.now();
  const bytes = await body;
  const seconds = (performance.now() - started) / 1000;
  expect((await c.read()).code).toBe(226);
  return { body: bytes, seconds };
}

function write(socket: net.Socket, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => socket.end(bytes, () => resolve()).once("error", reject));
}

/** STOR `name` with `bytes`; how long until the 226. */
async function upload(c: ControlClient, name: string, bytes: Buffer): Promise<number> {
  const data = await c.pasv();
  expect((await c.send(`STOR ${name}`)).code).toBe(150);
  const started = performance.now();
  await write(data, bytes);
  expect((await c.read(20_000)).code).toBe(226);
  return (performance.now() - started) / 1000;
}

function expectAbout(seconds: number, expected: number): void {
  expect(seconds).toBeGreaterThan(expected * (1 - TOLERANCE));
  expect(seconds).toBeLessThan(expected * (1 + TOLERANCE));
}

describe("download rate", () => {
  it("a user's maxDownloadRate paces a binary download: 1.5 MiB at 512 KiB/s takes ~3 s", async () => {
    const t = await serve({}, async (root) => [await account("alice", root, { maxDownloadRate: RATE })]);
    const file = randomBytes(1536 * KIB);
    await writeFile(path.join(t.root, "f.bin"), file);
    const c = await client(t);
    const { body, seconds } = await download(c, "f.bin");
    expect(sha256(body)).toBe(sha256(file));
    expectAbout(seconds, file.length / RATE);
  });

  it("the server's maxDownloadRate paces the stream path (TYPE A) too", async () => {
    const t = await serve({ maxDownloadRate: RATE }, async (root) => [await account("alice", root)]);
    // No line ends: TYPE A sends it unchanged, and the rate is exact.
    const file = Buffer.alloc(1536 * KIB, "a");
    await writeFile(path.join(t.root, "f.txt"), file);
    const c = await client(t, "alice", "A");
    const { body, seconds } = await download(c, "f.txt");
    expect(body.equals(file)).toBe(true);
    expectAbout(seconds, file.length / RATE);
  });

  it("two sessions of one user share its bucket: together they move ~512 KiB/s", async () => {
    const t = await serve({}, async (root) => [await account("alice", root, { maxDownloadRate: RATE }), await account("bob", root)]);
    const file = randomBytes(768 * KIB);
    await writeFile(path.join(t.root, "half.bin"), file);
    const [a, b] = await Promise.all([client(t), client(t)]);
    const started = performance.now();
    const [first, second] = await Promise.all([download(a, "half.bin"), download(b, "half.bin")]);
    const seconds = (performance.now() - started) / 1000;
    expect(sha256(first.body)).toBe(sha256(file));
    expect(sha256(second.body)).toBe(sha256(file));
    // Alone each would take 1.5 s; sharing 512 KiB/s, both finish after ~3 s.
    expectAbout(seconds, (2 * file.length) / RATE);
    expect(Math.min(first.seconds, second.seconds)).toBeGreaterThan(2 * (1 - TOLERANCE));
  });

  it("another user has a bucket of its own, and a user without a limit is not paced", async () => {
    const t = await serve({}, async (root) => [await account("alice", root, { maxDownloadRate: RATE }), await account("bob", root)]);
    const file = randomBytes(1536 * KIB);
    await writeFile(path.join(t.root, "f.bin"), file);
    const [alice, bob] = await Promise.all([client(t), client(t, "bob")]);
    const [slow, fast] = await Promise.all([download(alice, "f.bin"), download(bob, "f.bin")]);
    expectAbout(slow.seconds, file.length / RATE);
    expect(fast.seconds).toBeLessThan(1);
  });
});

describe("upload rate", () => {
  it("a user's maxUploadRate paces an upload: 1.5 MiB at 512 KiB/s takes ~3 s", async () => {
    const t = await serve({}, async (root) => [await account("alice", root, { maxUploadRate: RATE })]);
    const file = randomBytes(1536 * KIB);
    const c = await client(t);
    const seconds = await upload(c, "up.bin", file);
    expect(sha256(await readFile(path.join(t.root, "up.bin")))).toBe(sha256(file));
    expectAbout(seconds, file.length / RATE);
  });

  it("the server's maxUploadRate is shared by all users", async () => {
    const t = await serve({ maxUploadRate: RATE }, async (root) => [await account("alice", root), await account("bob", root)]);
    const file = randomBytes(768 * KIB);
    const [alice, bob] = await Promise.all([client(t), client(t, "bob")]);
    const started = performance.now();
    await Promise.all([upload(alice, "a.bin", file), upload(bob, "b.bin", file)]);
    expectAbout((performance.now() - started) / 1000, (2 * file.length) / RATE);
  });
});

describe("no limit", () => {
  it("downloads and uploads run at full speed, and ABOR cuts a paced transfer at once", async () => {
    const t = await serve({}, async (root) => [await account("alice", root), await account("slow", root, { maxDownloadRate: 16 * KIB })]);
    const file = randomBytes(8 * 1024 * KIB);
    await writeFile(path.join(t.root, "big.bin"), file);
    const c = await client(t);
    expect((await download(c, "big.bin")).seconds).toBeLessThan(2);
    expect(await upload(c, "copy.bin", file)).toBeLessThan(2);

    const slow = await client(t, "slow");
    const data = await slow.pasv();
    expect((await slow.send("RETR big.bin")).code).toBe(150);
    await new Promise((r) => setTimeout(r, 300));
    const asked = performance.now();
    slow.write("ABOR\r\n");
    expect((await slow.read()).code).toBe(426);
    expect((await slow.read()).code).toBe(226);
    expect(performance.now() - asked).toBeLessThan(500);
    data.destroy();
  });
});
