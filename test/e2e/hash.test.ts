// HASH (draft-bryan-ftpext-hash) with OPTS HASH and its FEAT line, and XCRC/XMD5/XSHA1/XSHA256:
// answers checked against node:crypto and zlib on random files, and through lftp and curl.
import { createHash, randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tableCrc32 } from "../../core/storage/checksum.ts";
import { ControlClient } from "../support/control.ts";
import { runTool } from "../support/process.ts";
import { account, startServer, type TestServer } from "../support/server.ts";

let t: TestServer;
const files = new Map<string, Buffer>();
const SIZES = [0, 1, 1000, 262_144, 300_007, 1_048_583];

beforeAll(async () => {
  t = await startServer({
    options: { limits: { maxClients: 50, maxSessionsPerIp: 20, maxSessionsPerUser: 0, loginTimeoutMs: 30_000, idleTimeoutMs: 60_000, maxLoginFailures: 3, passiveTimeoutMs: 10_000, dataTimeoutMs: 300_000, maxUploadRate: 0, maxDownloadRate: 0, maxHashSize: 2_000_000 } },
    accounts: async (root) => [await account("alice", root), await account("lister", root, { permissions: [{ path: "/", allow: ["list"], subdirs: true }] })],
  });
  for (const size of SIZES) {
    const bytes = randomBytes(size);
    files.set(`r${size}.bin`, bytes);
    await writeFile(path.join(t.root, `r${size}.bin`), bytes);
  }
  await writeFile(path.join(t.root, "big.bin"), Buffer.alloc(3_000_000, 1));
  await writeFile(path.join(t.root, "track 01"), "a file whose name ends in a number");
  await writeFile(path.join(t.root, 'say "hi".txt'), "quoted");
  await mkdir(path.join(t.root, "folder"));
});
afterAll(() => t.close());

async function client(user = "alice"): Promise<ControlClient> {
  const c = await ControlClient.connect(t.port);
  await c.login(user);
  return c;
}

const NODE: Record<string, string> = { "SHA-256": "sha256", "SHA-1": "sha1", MD5: "md5" };
function expected(algorithm: string, bytes: Buffer): string {
  if (algorithm === "CRC32") return zlib.crc32(bytes).toString(16).padStart(8, "0");
  return createHash(NODE[algorithm]!).update(bytes).digest("hex");
}

describe("HASH", () => {
  it("answers 213 <algorithm> 0-<size> <hex> <path> for each algorithm OPTS HASH selects", async () => {
    const c = await client();
    expect(await c.send("OPTS HASH")).toMatchObject({ code: 200, text: "200 SHA-256" });
    for (const algorithm of ["SHA-256", "SHA-1", "MD5", "CRC32"]) {
      expect(await c.send(`OPTS HASH ${algorithm.toLowerCase()}`)).toMatchObject({ code: 200, text: `200 ${algorithm}` });
      for (const [name, bytes] of files) {
        const r = await c.send(`HASH ${name}`);
        expect(r.text).toBe(`213 ${algorithm} 0-${bytes.length} ${expected(algorithm, bytes)} ${name}`);
      }
    }
    c.close();
  });

  it("FEAT lists the algorithms with * on the selected one; OPTS HASH refuses others with 504", async () => {
    const c = await client();
    expect((await c.send("FEAT")).lines).toContain(" HASH SHA-256*;SHA-1;MD5;CRC32");
    expect((await c.send("OPTS HASH MD5")).code).toBe(200);
    const feat = await c.send("FEAT");
    expect(feat.lines).toContain(" HASH SHA-256;SHA-1;MD5*;CRC32");
    for (const x of ["XCRC", "XMD5", "XSHA1", "XSHA256"]) expect(feat.lines).toContain(` ${x}`);
    expect((await c.send("OPTS HASH SHA-512")).code).toBe(504);
    expect(await c.send("OPTS HASH")).toMatchObject({ text: "200 MD5" });
    c.close();
  });

  it("paths: relative to the folder, with spaces; folders and missing files are 550", async () => {
    const c = await client();
    expect((await c.send("CWD folder")).code).toBe(250);
    const r = await c.send("HASH ../r1000.bin");
    expect(r.text).toBe(`213 SHA-256 0-1000 ${expected("SHA-256", files.get("r1000.bin")!)} ../r1000.bin`);
    expect((await c.send("HASH /track 01")).code).toBe(213);
    expect((await c.send("HASH /folder")).code).toBe(550);
    expect((await c.send("HASH /nothing.bin")).code).toBe(550);
    expect((await c.send("HASH")).code).toBe(501);
    c.close();
  });

  it("needs the read right", async () => {
    const c = await client("lister");
    expect((await c.send("HASH r1000.bin")).code).toBe(550);
    expect((await c.send("XMD5 r1000.bin")).code).toBe(550);
    c.close();
  });

  it("refuses a file over limits.maxHashSize with 552 and says why; a range under it is hashed", async () => {
    const c = await client();
    const r = await c.send("HASH big.bin");
    expect(r.code).toBe(552);
    expect(r.text).toMatch(/too large to hash: 3000000 bytes.*limit of 2000000 \(limits\.maxHashSize\)/);
    expect((await c.send("XMD5 big.bin")).code).toBe(552);
    expect(await c.send("XMD5 big.bin 0 1000000")).toMatchObject({ code: 250, text: `250 ${expected("MD5", Buffer.alloc(1_000_000, 1))}` });
    c.close();
  });

  it("is not available before login", async () => {
    const c = await ControlClient.connect(t.port);
    await c.read();
    expect((await c.send("HASH r1.bin")).code).toBe(530);
    c.close();
  });
});

describe("XCRC, XMD5, XSHA1, XSHA256", () => {
  const VERBS: Record<string, string> = { XCRC: "CRC32", XMD5: "MD5", XSHA1: "SHA-1", XSHA256: "SHA-256" };

  it("answer 250 <hex> for whole files, and for ranges start..end (end exclusive)", async () => {
    const c = await client();
    const bytes = files.get("r300007.bin")!;
    for (const [verb, algorithm] of Object.entries(VERBS)) {
      expect((await c.send(`${verb} r300007.bin`)).text).toBe(`250 ${expected(algorithm, bytes)}`);
      expect((await c.send(`${verb} r300007.bin 1000 250000`)).text).toBe(`250 ${expected(algorithm, bytes.subarray(1000, 250_000))}`);
      expect((await c.send(`${verb} r300007.bin 299000`)).text).toBe(`250 ${expected(algorithm, bytes.subarray(299_000))}`);
    }
    expect((await c.send("XCRC r0.bin")).text).toBe("250 00000000");
    c.close();
  });

  it("take a quoted name, and a name ending in digits is a name before it is a range", async () => {
    const c = await client();
    expect((await c.send('XMD5 "say ""hi"".txt"')).text).toBe(`250 ${expected("MD5", Buffer.from("quoted"))}`);
    expect((await c.send('XMD5 "say ""hi"".txt" 1 3')).text).toBe(`250 ${expected("MD5", Buffer.from("uo"))}`);
    expect((await c.send("XSHA1 track 01")).text).toBe(`250 ${expected("SHA-1", Buffer.from("a file whose name ends in a number"))}`);
    expect((await c.send("XCRC r1000.bin 10 5")).code).toBe(501);
    expect((await c.send("XCRC r1000.bin 2000")).code).toBe(501);
    c.close();
  });
});

describe("CRC-32", () => {
  it("the table implementation (for runtimes without zlib.crc32) matches zlib, also when continued", () => {
    for (const size of [0, 1, 7, 4096, 100_003]) {
      const bytes = randomBytes(size);
      expect(tableCrc32(bytes)).toBe(zlib.crc32(bytes));
      const cut = Math.floor(size / 3);
      expect(tableCrc32(bytes.subarray(cut), tableCrc32(bytes.subarray(0, cut)))).toBe(zlib.crc32(bytes));
    }
  });
});

describe("real clients", () => {
  const bytes = () => files.get("r300007.bin")!;

  it("lftp: quote HASH and quote XCRC", async () => {
    const script = ["set ftp:ssl-allow no", "set cmd:fail-exit yes", "set net:max-retries 1", "quote OPTS HASH SHA-1", "quote HASH r300007.bin", "quote XCRC r300007.bin", "bye"].join("; ");
    const r = await runTool("/usr/bin/lftp", ["-u", "alice,secret", "-p", String(t.port), "-e", script, "127.0.0.1"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`213 SHA-1 0-300007 ${expected("SHA-1", bytes())} r300007.bin`);
    expect(r.stdout).toContain(`250 ${expected("CRC32", bytes())}`);
  });

  it("curl: -Q HASH and -Q XSHA256", async () => {
    const r = await runTool("/usr/bin/curl", ["--silent", "--show-error", "--verbose", "--max-time", "25", "--list-only", "-Q", "HASH r300007.bin", "-Q", "XSHA256 r1000.bin", `ftp://alice:secret@127.0.0.1:${t.port}/`]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`< 213 SHA-256 0-300007 ${expected("SHA-256", bytes())} r300007.bin`);
    expect(r.stderr).toContain(`< 250 ${expected("SHA-256", files.get("r1000.bin")!)}`);
  });
});
