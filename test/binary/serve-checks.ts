import { createHash, randomBytes } from "node:crypto";
import { copyFile, readFile } from "node:fs/promises";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { Client, FTPError } from "basic-ftp";
import { expect } from "vitest";
import { freePort, startFtpi, type RunningFtpi } from "../support/process.ts";

const FIXTURE_PLUGIN = path.join(import.meta.dirname, "fixtures/hello.ts");
const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

export interface ServedBinary {
  ftpi: RunningFtpi;
  port: number;
  webPort: number;
  /** The shared folder, on disk. */
  root: string;
}

/**
 * Starts `ftpi serve` from `command` (the executable, maybe behind an emulator) in `dir` with the
 * quick-start flags and the fixture plugin copied beside the executable as ./hello.ts.
 */
export async function serveBinary(command: string[], dir: string, opts: { timeoutMs: number }): Promise<ServedBinary> {
  await copyFile(FIXTURE_PLUGIN, path.join(dir, "hello.ts"));
  const port = await freePort();
  const webPort = await freePort();
  const pasv = 46000 + Math.floor(Math.random() * 200) * 10;
  const ftpi = await startFtpi(
    [
      ...command,
      "serve",
      "--root", "share",
      "--listen", `127.0.0.1:${port}`,
      "--passive-ports", `${pasv}-${pasv + 9}`,
      "--user", "alice:secret",
      "--user", "mallory:secret",
      "--data-dir", "data",
      "--web-port", String(webPort),
      "--plugin", "./hello.ts",
    ],
    { cwd: dir, timeoutMs: opts.timeoutMs },
  );
  return { ftpi, port, webPort, root: path.join(dir, "share") };
}

/** Login, STOR, LIST, RETR with basic-ftp; the bytes must come back as they went. */
export async function roundTrip(server: ServedBinary, size: number, timeoutMs: number): Promise<void> {
  const client = new Client(timeoutMs);
  try {
    await client.access({ host: "127.0.0.1", port: server.port, user: "alice", password: "secret" });
    const payload = randomBytes(size);
    await client.uploadFrom(Readable.from([payload]), "round-trip.bin");
    expect(sha(await readFile(path.join(server.root, "round-trip.bin")))).toBe(sha(payload));
    const list = await client.list();
    expect(list.find((entry) => entry.name === "round-trip.bin")?.size).toBe(size);
    const chunks: Buffer[] = [];
    await client.downloadTo(new Writable({ write: (chunk, _encoding, done) => (chunks.push(chunk), done()) }), "round-trip.bin");
    expect(sha(Buffer.concat(chunks))).toBe(sha(payload));
  } finally {
    client.close();
  }
}

/**
 * FTPS with the self-signed certificate the executable made on its first start (selfsigned,
 * bundled): login over AUTH TLS, then a protected listing and download.
 */
export async function expectFtps(server: ServedBinary, timeoutMs: number): Promise<void> {
  const client = new Client(timeoutMs);
  try {
    await client.access({ host: "127.0.0.1", port: server.port, user: "alice", password: "secret", secure: true, secureOptions: { rejectUnauthorized: false } });
    await client.uploadFrom(Readable.from([Buffer.from("over TLS\n")]), "tls.txt");
    expect((await client.list()).map((entry) => entry.name)).toContain("tls.txt");
    const chunks: Buffer[] = [];
    await client.downloadTo(new Writable({ write: (chunk, _encoding, done) => (chunks.push(chunk), done()) }), "tls.txt");
    expect(Buffer.concat(chunks).toString()).toBe("over TLS\n");
  } finally {
    client.close();
  }
}

/** The fixture plugin's SITE HELLO answers a logged-in user. */
export async function expectPluginSiteVerb(server: ServedBinary, timeoutMs: number): Promise<void> {
  const client = new Client(timeoutMs);
  try {
    await client.access({ host: "127.0.0.1", port: server.port, user: "alice", password: "secret" });
    const site = await client.send("SITE HELLO binary");
    expect(site.code).toBe(200);
    expect(site.message).toContain("Hello binary, you are alice");
  } finally {
    client.close();
  }
}

/** The fixture plugin turns mallory away, with its own reply text, although the password is right. */
export async function expectPluginDenial(server: ServedBinary, timeoutMs: number): Promise<void> {
  const client = new Client(timeoutMs);
  try {
    const error = await client.access({ host: "127.0.0.1", port: server.port, user: "mallory", password: "secret" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FTPError);
    expect((error as FTPError).code).toBe(530);
    expect((error as FTPError).message).toContain("The hello plugin turns mallory away.");
  } finally {
    client.close();
  }
}

/** The status page, served from inside the executable: /healthz needs no login. */
export async function expectStatusPage(server: ServedBinary): Promise<void> {
  const health = await fetch(`http://127.0.0.1:${server.webPort}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.text()).toBe("ok");
  expect(server.ftpi.output()).toMatch(new RegExp(`Status page  http://\\S+:${server.webPort}/`));
}
