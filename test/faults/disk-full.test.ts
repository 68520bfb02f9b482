import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, statfs, writeFile } from "node:fs/promises";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ControlClient } from "../support/control.ts";
import { account, startServer, type TestServer } from "../support/server.ts";

const run = promisify(execFile);
const MiB = 1024 * 1024;
const PART = /\.ftpi-[0-9a-z]+\.part$/;

let t: TestServer;
let home: string;
let mounted = false;

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), "ftpi-full-"));
  try {
    await run("mount", ["-t", "tmpfs", "-o", "size=8m,mode=0755", "tmpfs", home]);
  } catch (err) {
    throw new Error(`this test needs to mount an 8 MiB tmpfs (as root, or with CAP_SYS_ADMIN) on ${home}: ${(err as { stderr?: string }).stderr ?? String(err)}`);
  }
  mounted = true;
  t = await startServer({ accounts: async () => [await account("alice", home)] });
});

afterAll(async () => {
  await t?.close();
  if (mounted) await run("umount", [home]).catch(() => run("umount", ["-l", home]));
  await rm(home, { recursive: true, force: true });
});

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const onDisk = (name: string) => readFile(path.join(home, name));
const freeBytes = async () => {
  const s = await statfs(home);
  return s.bavail * s.bsize;
};

async function client(): Promise<ControlClient> {
  const c = await ControlClient.connect(t.port);
  await c.login();
  expect((await c.send("TYPE I")).code).toBe(200);
  return c;
}

/**
 * Uploads `bytes` with `command` and returns the final reply code. The server may close the data
 * connection before everything is sent (the disk is full): write errors are expected then.
 */
async function upload(c: ControlClient, command: string, bytes: Buffer): Promise<number> {
  const data: net.Socket = await c.pasv();
  data.on("error", () => {});
  const opening = await c.send(command);
  if (opening.code !== 150) {
    data.destroy();
    return opening.code;
  }
  for (let i = 0; i < bytes.length && !data.destroyed; i += 256 * 1024) {
    const ok = data.write(bytes.subarray(i, i + 256 * 1024));
    if (!ok) await new Promise((r) => (data.once("drain", r), data.once("close", r)));
  }
  data.end();
  const final = await c.read(30_000);
  data.destroy();
  return final.code;
}

async function sizeOf(c: ControlClient, name: string): Promise<number> {
  const r = await c.send(`SIZE ${name}`);
  expect(r.code).toBe(213);
  return Number(r.text.split(" ")[1]);
}

describe("a full disk (an 8 MiB tmpfs as the user's home)", () => {
  const first = randomBytes(1 * MiB);
  const second = randomBytes(3 * MiB);
  const big = randomBytes(6 * MiB + 123);

  it("an upload that does not fit gets 552; earlier files stay byte-identical; the partial file is exactly what was written and REST + STOR completes it", { timeout: 60_000 }, async () => {
    const c = await client();
    expect(await upload(c, "STOR first.bin", first)).toBe(226);
    expect(await upload(c, "STOR second.bin", second)).toBe(226);

    expect(await upload(c, "STOR big.bin", big)).toBe(552);
    expect(sha256(await onDisk("first.bin"))).toBe(sha256(first));
    expect(sha256(await onDisk("second.bin"))).toBe(sha256(second));
    const written = await onDisk("big.bin");
    expect(written.length).toBeGreaterThan(MiB);
    expect(written.length).toBeLessThan(big.length);
    expect(await sizeOf(c, "big.bin")).toBe(written.length);
    expect(sha256(written)).toBe(sha256(big.subarray(0, written.length)));
    // The server goes on: commands work, and another upload is refused the same way.
    expect(await upload(c, "STOR more.bin", randomBytes(2 * MiB))).toBe(552);
    expect((await c.send("DELE more.bin")).code).toBe(250);

    expect((await c.send("DELE second.bin")).code).toBe(250);
    const size = await sizeOf(c, "big.bin");
    expect((await c.send(`REST ${size}`)).code).toBe(350);
    expect(await upload(c, "STOR big.bin", big.subarray(size))).toBe(226);
    expect(sha256(await onDisk("big.bin"))).toBe(sha256(big));
    expect(sha256(await onDisk("first.bin"))).toBe(sha256(first));
    c.close();
  });

  it("APPE completes a partial upload once space is freed", { timeout: 60_000 }, async () => {
    const c = await client();
    expect((await c.send("DELE big.bin")).code).toBe(250);
    const filler = randomBytes(4 * MiB);
    expect(await upload(c, "STOR filler.bin", filler)).toBe(226);
    const payload = randomBytes(5 * MiB + 7);
    expect(await upload(c, "STOR appended.bin", payload)).toBe(552);
    const size = await sizeOf(c, "appended.bin");
    expect(sha256(await onDisk("appended.bin"))).toBe(sha256(payload.subarray(0, size)));
    expect(sha256(await onDisk("filler.bin"))).toBe(sha256(filler));

    expect((await c.send("DELE filler.bin")).code).toBe(250);
    expect(await upload(c, "APPE appended.bin", payload.subarray(size))).toBe(226);
    expect(sha256(await onDisk("appended.bin"))).toBe(sha256(payload));
    c.close();
  });

  it("an overwrite that runs out of space keeps the old file, leaves no temp file and frees what it took", { timeout: 60_000 }, async () => {
    const c = await client();
    const old = await onDisk("appended.bin");
    const free = await freeBytes();
    expect(free).toBeLessThan(4 * MiB);
    expect(await upload(c, "STOR appended.bin", randomBytes(4 * MiB))).toBe(552);
    expect(sha256(await onDisk("appended.bin"))).toBe(sha256(old));
    expect((await readdir(home)).filter((n) => PART.test(n))).toEqual([]);
    expect(await freeBytes()).toBe(free);
    // With room, the same overwrite goes through.
    expect((await c.send("DELE first.bin")).code).toBe(250);
    const fresh = randomBytes(2 * MiB);
    expect(await upload(c, "STOR appended.bin", fresh)).toBe(226);
    expect(sha256(await onDisk("appended.bin"))).toBe(sha256(fresh));
    c.close();
  });
});
