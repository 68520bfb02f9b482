import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import { LocalStorage } from "../../core/storage/local.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ControlClient, readAll } from "../support/control.ts";
import { waitFor } from "../support/wait.ts";
import { crashSigns, startChildServer, type ChildServer } from "./child.ts";

const MiB = 1024 * 1024;
const PART = /\.ftpi-[0-9a-z]+\.part$/;
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

let t: ChildServer;
const onDisk = (name: string) => readFile(path.join(t.root, name));
const sizeOnDisk = (name: string) => stat(path.join(t.root, name)).then((s) => s.size, () => -1);
const temps = async () => (await readdir(t.root)).filter((n) => PART.test(n));

beforeAll(async () => {
  t = await startChildServer();
});
afterAll(() => t?.close());

async function client(): Promise<ControlClient> {
  const c = await ControlClient.connect(t.port);
  await c.login();
  expect((await c.send("TYPE I")).code).toBe(200);
  return c;
}

function write(socket: net.Socket, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => socket.write(bytes, (err) => (err ? reject(err) : resolve())));
}

/** Starts an upload and sends `bytes` of it, leaving the data connection open. */
async function startUpload(c: ControlClient, command: string, bytes: Buffer): Promise<net.Socket> {
  const data = await c.pasv();
  data.on("error", () => {});
  expect((await c.send(command)).code).toBe(150);
  await write(data, bytes);
  return data;
}

async function upload(c: ControlClient, command: string, bytes: Buffer): Promise<void> {
  const data = await startUpload(c, command, bytes);
  data.end();
  expect((await c.read()).code).toBe(226);
}

async function listing(c: ControlClient, command: string): Promise<string> {
  const data = await c.pasv();
  const body = readAll(data);
  expect((await c.send(command)).code).toBe(150);
  expect((await c.read()).code).toBe(226);
  return (await body).toString("utf8");
}

async function sizeOf(c: ControlClient, name: string): Promise<number> {
  const r = await c.send(`SIZE ${name}`);
  expect(r.code).toBe(213);
  return Number(r.text.split(" ")[1]);
}

describe("kill -9 of the server during uploads, then a restart on the same folder", () => {
  const complete = { "photos.bin": randomBytes(3 * MiB + 1), "notes.txt": Buffer.from("notes\n".repeat(1000)) };
  const old = randomBytes(2 * MiB);
  const forRest = randomBytes(8 * MiB + 3);
  const forAppe = randomBytes(6 * MiB + 5);
  let sentRest = 0;
  let sentAppe = 0;

  it("is killed with three uploads running: two new files and one overwrite", { timeout: 60_000 }, async () => {
    const c = await client();
    for (const [name, bytes] of Object.entries(complete)) await upload(c, `STOR ${name}`, bytes);
    await upload(c, "STOR precious.bin", old);

    sentRest = 3 * MiB + 17;
    sentAppe = 2 * MiB + 9;
    const a = await client();
    const b = await client();
    const r = await client();
    await startUpload(a, "STOR resumed.bin", forRest.subarray(0, sentRest));
    await startUpload(b, "STOR appended.bin", forAppe.subarray(0, sentAppe));
    await startUpload(r, "STOR precious.bin", randomBytes(MiB));
    await waitFor(async () => (await sizeOnDisk("resumed.bin")) === sentRest, "the first upload's bytes on disk");
    await waitFor(async () => (await sizeOnDisk("appended.bin")) === sentAppe, "the second upload's bytes on disk");
    await waitFor(async () => (await temps()).length === 1 && (await sizeOnDisk((await temps())[0]!)) === MiB, "the overwrite's temp file on disk");

    await t.kill();
    expect(t.ftpi.proc.signalCode).toBe("SIGKILL");
    for (const x of [c, a, b, r]) x.close();
    await t.restart();
  });

  it("every complete file is byte-identical, and the overwritten one is the old file", async () => {
    for (const [name, bytes] of Object.entries(complete)) expect(sha256(await onDisk(name)), name).toBe(sha256(bytes));
    expect(sha256(await onDisk("precious.bin"))).toBe(sha256(old));
  });

  it("the interrupted overwrite's temp file shows in no listing, and the listing clears it away", async () => {
    expect(await temps()).toHaveLength(1);
    const c = await client();
    for (const command of ["LIST", "LIST -a", "NLST", "MLSD"]) {
      const body = await listing(c, command);
      expect(body).toContain("precious.bin");
      expect(body, command).not.toMatch(/ftpi-|\.part/);
    }
    const stat = await c.send("STAT /");
    expect(stat.text).toContain("precious.bin");
    expect(stat.text).not.toMatch(/ftpi-|\.part/);
    // Left by a server that is gone (older than this one's start): removed.
    expect(await temps()).toEqual([]);
    c.close();
  });

  it("each partial file is what arrived, and REST + STOR or APPE completes it to the right bytes", async () => {
    const c = await client();
    const rest = await sizeOf(c, "resumed.bin");
    expect(rest).toBe(sentRest);
    expect(sha256(await onDisk("resumed.bin"))).toBe(sha256(forRest.subarray(0, rest)));
    expect((await c.send(`REST ${rest}`)).code).toBe(350);
    await upload(c, "STOR resumed.bin", forRest.subarray(rest));
    expect(sha256(await onDisk("resumed.bin"))).toBe(sha256(forRest));

    const appe = await sizeOf(c, "appended.bin");
    expect(appe).toBe(sentAppe);
    await upload(c, "APPE appended.bin", forAppe.subarray(appe));
    expect(sha256(await onDisk("appended.bin"))).toBe(sha256(forAppe));

    // And the overwrite, done again, goes through.
    const fresh = randomBytes(MiB + 1);
    await upload(c, "STOR precious.bin", fresh);
    expect(sha256(await onDisk("precious.bin"))).toBe(sha256(fresh));
    c.close();
    expect(crashSigns(t.output())).toEqual([]);
  });
});

describe("clearing stale upload temp files is careful", () => {
  it("removes only regular files of the exact temp pattern older than the server's start", async () => {
    const dir = path.join(t.root, "careful");
    await mkdir(dir);
    const long = Date.UTC(2001, 0, 1) / 1000;
    const stale = [".movie.mkv.ftpi-0123456789ab.part", ".ftpi-abcdef012345.part"];
    const kept = [
      ".movie.mkv.ftpi-0123456789AB.part", // upper-case: not a name ftpi makes
      ".movie.mkv.ftpi-0123456789.part", // too short
      ".movie.mkv.ftpi-0123456789abc.part", // too long
      "movie.mkv.ftpi-0123456789ab.part", // not hidden
      ".movie.mkv.ftpi-0123456789ab.part.bak",
      ".movie.mkv.ftpi-0123456789ab", // no .part
    ];
    for (const name of [...stale, ...kept]) {
      await writeFile(path.join(dir, name), "x");
      await utimes(path.join(dir, name), long, long);
    }
    // A folder and a symlink with a temp name, and a fresh temp file (an upload of this server).
    await mkdir(path.join(dir, ".folder.ftpi-0123456789ab.part"));
    await utimes(path.join(dir, ".folder.ftpi-0123456789ab.part"), long, long);
    await symlink("../notes.txt", path.join(dir, ".link.ftpi-0123456789ab.part"));
    await writeFile(path.join(dir, ".running.bin.ftpi-fedcba987654.part"), "in flight");
    const before = (await readdir(dir)).sort();

    const c = await client();
    await listing(c, "NLST careful");
    c.close();
    expect((await readdir(dir)).sort()).toEqual(before.filter((n) => !stale.includes(n)));
  });

  it("never removes the temp file of an upload still running here, even when the clock went back", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "ftpi-stale-"));
    try {
      await writeFile(path.join(dir, "film.mkv"), "old");
      // Every file looks older than a start in the future: as if the clock was set back since.
      const storage = new LocalStorage(dir, { staleUploadsBefore: new Date(Date.now() + 3_600_000) });
      const handle = await storage.write("/film.mkv", "replace");
      await new Promise<void>((resolve, reject) => handle.stream.write(Buffer.from("new"), (err) => (err ? reject(err) : resolve())));
      await storage.list("/");
      expect((await readdir(dir)).filter((n) => PART.test(n))).toHaveLength(1);
      await new Promise<void>((resolve) => handle.stream.end(resolve));
      await handle.commit();
      expect(await readFile(path.join(dir, "film.mkv"), "utf8")).toBe("new");
      expect(await readdir(dir)).toEqual(["film.mkv"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
