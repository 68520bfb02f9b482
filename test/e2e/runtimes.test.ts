import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { Client } from "basic-ftp";
import { describe, expect, it } from "vitest";
import { freePort, RUNTIMES, startFtpi } from "../support/process.ts";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe.each(Object.keys(RUNTIMES))("ftpi serve on %s", (runtime) => {
  it("serves a login + LIST + STOR + RETR round trip", { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), `ftpi-${runtime}-`));
    const root = path.join(dir, "share");
    const port = await freePort();
    const pasv = 42000 + Math.floor(Math.random() * 200) * 10;
    const ftpi = await startFtpi(
      [...RUNTIMES[runtime]!, "serve", "--root", root, "--port", String(port), "--listen", `127.0.0.1:${port}`, "--passive-ports", `${pasv}-${pasv + 9}`, "--user", "alice:secret", "--web-port", "0", "--data-dir", path.join(dir, "data")],
      { cwd: dir },
    );
    const client = new Client(10_000);
    try {
      await client.access({ host: "127.0.0.1", port, user: "alice", password: "secret" });
      const payload = randomBytes(3 * 1024 * 1024 + 17);
      await client.uploadFrom(Readable.from([payload]), "round-trip.bin");
      expect(sha(await readFile(path.join(root, "round-trip.bin")))).toBe(sha(payload));
      const list = await client.list();
      expect(list.find((e) => e.name === "round-trip.bin")?.size).toBe(payload.length);
      const chunks: Buffer[] = [];
      await client.downloadTo(new Writable({ write: (c, _e, cb) => (chunks.push(c), cb()) }), "round-trip.bin");
      expect(sha(Buffer.concat(chunks))).toBe(sha(payload));
    } finally {
      client.close();
      expect(await ftpi.stop()).toBe(0);
    }
    expect(ftpi.output()).toContain(`127.0.0.1:${port}`);
  });
});

it("port 0 in ftpi.yaml listens on a port the OS picks, and the startup block names it", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "ftpi-fresh-"));
  await writeFile(path.join(dir, "ftpi.yaml"), "listen: 127.0.0.1:0\nweb:\n  port: 0\n");
  const ftpi = await startFtpi([...RUNTIMES.node!, "serve"], { cwd: dir });
  expect(ftpi.output()).toMatch(/Listening\s+127\.0\.0\.1:\d+/);
  expect(await ftpi.stop()).toBe(0);
});
