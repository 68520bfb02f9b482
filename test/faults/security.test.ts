import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { lstat, mkdir, readdir, readFile, readlink, rm, symlink, utimes, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { COMMANDS } from "../../core/commands/table.ts";
import { ControlClient, connectData, readAll, type ParsedReply } from "../support/control.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { sleep, waitFor } from "../support/wait.ts";

let t: TestServer;
/** The folder holding the root, the data folder and the sentinel. */
let base: string;
let sentinel: string;
// Its size has six digits, so that no port number or timestamp can look like it.
const secret = Buffer.concat([Buffer.from("TOP-SECRET-"), randomBytes(987_651 - 11)]);
const secretHex = secret.subarray(0, 32).toString("hex");
// A name no probe ever uses: it can only show up in a reply by reading the real folder outside.
const ONLY_OUTSIDE = "only-outside-0b5e7c.txt";
const ESCAPE = `ftpi-escape-${randomBytes(4).toString("hex")}`;
const hex = (algorithm: string, b: Buffer) => createHash(algorithm).update(b).digest("hex");

beforeAll(async () => {
  t = await startServer();
  base = path.dirname(t.root);
  sentinel = path.join(base, "sentinel");
  await mkdir(path.join(sentinel, "sub"), { recursive: true });
  await writeFile(path.join(sentinel, "secret.txt"), secret);
  await writeFile(path.join(sentinel, ONLY_OUTSIDE), secret);
  await writeFile(path.join(sentinel, "sub", ONLY_OUTSIDE), secret);
  // An mtime no file inside has, so an MDTM or a listing of it would stand out.
  await utimes(path.join(sentinel, "secret.txt"), new Date("2001-02-03T04:05:06Z"), new Date("2001-02-03T04:05:06Z"));
  await mkdir(path.join(t.root, "dir"));
  await writeFile(path.join(t.root, "dir", "inside.txt"), "inside\n");
});
afterAll(() => t.close());

/** Symlinks out of the root, and files the probes may rename or delete: put back before each probe. */
async function restoreFixture(): Promise<void> {
  const links: [string, string][] = [
    ["out", sentinel],
    ["rel", "../sentinel"],
    ["outfile", path.join(sentinel, "secret.txt")],
    ["dangle", path.join(sentinel, "created-through-dangle.txt")],
    ["hop", "out"],
    ["dir/up", "../../sentinel"],
  ];
  for (const [name, target] of links) {
    const at = path.join(t.root, name);
    const there = await lstat(at).catch(() => null);
    if (there?.isSymbolicLink() && (await readlink(at)) === target) continue;
    // Renamed over, or removed: only what is inside the root is ever replaced here.
    if (there) await rm(at, { recursive: true, force: true });
    await symlink(target, at);
  }
  if (!existsSync(path.join(t.root, "victim.txt"))) await writeFile(path.join(t.root, "victim.txt"), "victim\n");
}

/** Everything outside the root that a probe could reach: the sentinel and the root's siblings. */
async function outside(): Promise<string[]> {
  const lines: string[] = [];
  const walk = async (p: string, rel: string) => {
    const st = await lstat(p);
    let what = "";
    if (st.isSymbolicLink()) what = await readlink(p);
    else if (st.isFile()) what = hex("sha256", await readFile(p));
    lines.push(`${rel} ${st.mode.toString(8)} ${st.size} ${st.mtimeMs} ${what}`);
    if (st.isDirectory()) for (const name of (await readdir(p)).sort()) await walk(path.join(p, name), `${rel}/${name}`);
  };
  for (const name of (await readdir(base)).sort()) {
    if (name === "root" || name === "data") lines.push(name);
    else await walk(path.join(base, name), name);
  }
  const passwd = await lstat("/etc/passwd");
  lines.push(`/etc/passwd ${passwd.size} ${passwd.mtimeMs}`);
  lines.push(...(await readdir(os.tmpdir())).filter((n) => n.includes(ESCAPE)));
  return lines;
}

/** What a reply or data connection must never carry: anything learnt from outside the root. */
function assertNoLeak(what: string, text: string): void {
  const leaks = [
    ["the secret", "TOP-SECRET-"],
    ["the secret (hex)", secretHex],
    ["a name only outside", ONLY_OUTSIDE],
    ["the secret's size", String(secret.length)],
    ["the secret's mtime", "20010203040506"],
    ["the secret's sha256", hex("sha256", secret)],
    ["the secret's sha1", hex("sha1", secret)],
    ["the secret's md5", hex("md5", secret)],
    ["/etc/passwd", "root:x:0:0"],
    ["the real path", base],
  ];
  for (const [label, needle] of leaks) if (text.includes(needle!)) expect.fail(`${what} leaked ${label}:\n${text.slice(0, 800)}`);
}

async function client(): Promise<ControlClient> {
  const c = await ControlClient.connect(t.port);
  await c.login();
  expect((await c.send("TYPE I")).code).toBe(200);
  return c;
}

const DOWNLOADS = new Set(["RETR", "LIST", "NLST", "MLSD"]);
const UPLOADS = new Set(["STOR", "STOU", "APPE"]);

/** Sends `verb arg` (over a fresh PASV when it moves data) and returns every reply and data byte. */
async function probe(c: ControlClient, verb: string, arg: string): Promise<{ replies: ParsedReply[]; data: Buffer }> {
  let data: net.Socket | null = null;
  const chunks: Buffer[] = [];
  if (DOWNLOADS.has(verb) || UPLOADS.has(verb)) {
    data = await c.pasv();
    data.on("data", (d: Buffer) => chunks.push(d));
    data.on("error", () => {});
  }
  const replies = [await c.send(`${verb} ${arg}`)];
  if (replies[0]!.code === 150 && data) {
    const ended = new Promise((r) => data!.once("close", r));
    if (UPLOADS.has(verb)) data.end(`${ESCAPE}\n`);
    replies.push(await c.read());
    await Promise.race([ended, sleep(2000)]);
  }
  data?.destroy();
  return { replies, data: Buffer.concat(chunks) };
}

// Every way we know to say "outside": up-level in both slash styles, absolute, encoded, and
// through symlinks that lead out (absolute, relative, a chain, a dangling one).
const escapes = () => {
  const abs = sentinel;
  return [
    "../sentinel/secret.txt",
    "../../../../../../../..",
    `../../../../../../../..${abs}/secret.txt`,
    "..\\sentinel\\secret.txt",
    `..\\..\\..\\..\\..\\..\\..\\..${abs.replaceAll("/", "\\")}\\secret.txt`,
    `${abs}/secret.txt`,
    abs,
    "/etc/passwd",
    "../../../../../../../../etc/passwd",
    "/../sentinel/secret.txt",
    "dir/../../sentinel/secret.txt",
    "%2e%2e/sentinel/secret.txt",
    "%2e%2e%2fsentinel%2fsecret.txt",
    "..%2fsentinel%2fsecret.txt",
    "..%5csentinel%5csecret.txt",
    "%252e%252e%252fsentinel",
    "....//sentinel/secret.txt",
    "..;/sentinel/secret.txt",
    `~/../sentinel/secret.txt`,
    "out",
    "out/secret.txt",
    "out/sub",
    "out/./sub/../secret.txt",
    "rel/secret.txt",
    "rel",
    "hop/secret.txt",
    "outfile",
    "dangle",
    "dangle/x",
    "out/new-file.txt",
    "out/new-dir",
    "rel/sub/new-file.txt",
    "dir/up/secret.txt",
    "dir/up",
    `../${ESCAPE}`,
    `../../../../../../../../tmp/${ESCAPE}`,
    `/tmp/${ESCAPE}`,
  ];
};

// The verbs that take a path; a new one in the table must be added here (see the last test).
const PATH_VERBS = ["CWD", "XCWD", "RETR", "STOR", "STOU", "APPE", "DELE", "RNFR", "RNTO", "MKD", "XMKD", "RMD", "XRMD", "LIST", "NLST", "MLSD", "MLST", "SIZE", "MDTM", "MFMT", "STAT", "HASH", "XCRC", "XMD5", "XSHA1", "XSHA256"];

describe("path traversal in every path-taking verb", () => {
  beforeEach(restoreFixture);

  it("the probes are not blind: the same verbs do work inside the root", async () => {
    const c = await client();
    const got = await probe(c, "RETR", "dir/inside.txt");
    expect(got.replies.map((r) => r.code)).toEqual([150, 226]);
    expect(got.data.toString()).toBe("inside\n");
    expect((await probe(c, "NLST", "dir")).data.toString()).toContain("inside.txt");
    expect((await c.send("SIZE dir/inside.txt")).text).toBe("213 7");
    c.close();
  });

  for (const cwd of ["/", "/dir"]) {
    it(`none reads, creates or touches anything outside the root (from ${cwd})`, { timeout: 120_000 }, async () => {
      const before = await outside();
      const c = await client();
      let probes = 0;
      for (const verb of PATH_VERBS) {
        for (const arg of escapes()) {
          await restoreFixture();
          expect((await c.send(`CWD ${cwd}`)).code).toBe(250);
          const what = `${verb} ${arg} (cwd ${cwd})`;
          let texts: string[] = [];
          if (verb === "RNFR" || verb === "RNTO") {
            // Out of the root as the source, then as the target of a file inside.
            const from = await c.send(`RNFR ${arg}`);
            texts.push(from.text);
            if (from.code === 350) texts.push((await c.send(`RNTO renamed-${probes}`)).text);
            expect((await c.send("RNFR /victim.txt")).code).toBe(350);
            texts.push((await c.send(`RNTO ${arg}`)).text);
          } else if (verb === "MFMT") {
            texts.push((await c.send(`MFMT 20200101000000 ${arg}`)).text);
          } else {
            const got = await probe(c, verb, arg);
            texts = [...got.replies.map((r) => r.text), got.data.toString("latin1")];
            // A folder we changed into must be one inside the root.
            if ((verb === "CWD" || verb === "XCWD") && got.replies[0]!.code === 250) {
              const listing = await probe(c, "LIST", "-la");
              texts.push(listing.data.toString("latin1"));
            }
          }
          assertNoLeak(what, texts.join("\n"));
          probes++;
        }
      }
      c.close();
      expect(probes).toBeGreaterThan(PATH_VERBS.length * 30);
      expect(await outside()).toEqual(before);
      expect(existsSync(path.join("/tmp", ESCAPE))).toBe(false);
    });
  }

  it("NUL and other control characters in a path are refused with 553 by every path-taking verb", async () => {
    const c = await client();
    await restoreFixture();
    for (const verb of PATH_VERBS) {
      for (const bad of ["victim\0.txt", "dir/\0", "\0", "vic\x1btim.txt", "victim\x7f.txt", "a\x01b"]) {
        const arg = verb === "MFMT" ? `20200101000000 ${bad}` : bad;
        if (verb === "RNTO") expect((await c.send("RNFR victim.txt")).code).toBe(350);
        const r = await c.send(`${verb} ${arg}`);
        expect(r.code, `${verb} ${JSON.stringify(arg)}: ${r.text}`).toBe(553);
      }
    }
    expect(await readFile(path.join(t.root, "victim.txt"), "utf8")).toBe("victim\n");
    c.close();
  });

  it("every path-taking verb of the command table is probed here", () => {
    const takesPath = Object.entries(COMMANDS).filter(([, spec]) => /pathname/.test(spec.help)).map(([verb]) => verb);
    expect([...takesPath].sort()).toEqual([...PATH_VERBS].sort());
  });
});

describe("FTP bounce (RFC 2577): PORT and EPRT only to the client itself, never to a privileged port", () => {
  it("refuses a third-party address in every spelling, and nothing ever connects there", async () => {
    const hits: string[] = [];
    const thirdParty = net.createServer((s) => {
      hits.push(String(s.remoteAddress));
      s.destroy();
    });
    await new Promise<void>((r) => thirdParty.listen(0, "127.0.0.2", r));
    const port = (thirdParty.address() as net.AddressInfo).port;
    const hi = port >> 8;
    const lo = port & 255;
    try {
      const c = await client();
      await restoreFixture();
      for (const command of [
        `PORT 127,0,0,2,${hi},${lo}`,
        `PORT 127,0,0,002,${hi},${lo}`,
        `PORT 127, 0, 0, 2,${hi},${lo}`,
        `PORT 10,0,0,1,${hi},${lo}`,
        `PORT 0,0,0,0,${hi},${lo}`,
        `PORT 255,255,255,255,${hi},${lo}`,
        `EPRT |1|127.0.0.2|${port}|`,
        `EPRT |2|::ffff:127.0.0.2|${port}|`,
        `EPRT |2|::ffff:7f00:2|${port}|`,
        `EPRT |2|::1|${port}|`,
        `EPRT |1|0.0.0.0|${port}|`,
      ]) {
        expect((await c.send(command)).code, command).toBe(504);
        // The refused target is not kept: a transfer has no data connection to use.
        for (const verb of ["RETR victim.txt", "STOR bounced.txt", "LIST", "NLST"]) expect((await c.send(verb)).code, `${command} then ${verb}`).toBe(425);
      }
      for (const command of [`PORT 0177,0,0,2,${hi},${lo}`, "EPRT |1|2130706434|5000|", "PORT 127,0,0,2", `EPRT |1|127.0.0.1|${port + 70000}|`]) {
        expect((await c.send(command)).code, command).toBe(501);
      }
      c.close();
      await sleep(200);
      expect(hits).toEqual([]);
    } finally {
      thirdParty.close();
    }
  });

  it("refuses privileged ports on the client's own address; 1024 and up are fine", async () => {
    const c = await client();
    for (const command of ["PORT 127,0,0,1,0,21", "PORT 127,0,0,1,0,25", "PORT 127,0,0,1,3,255", "EPRT |1|127.0.0.1|22|", "EPRT |1|127.0.0.1|1023|", "EPRT |1|127.0.0.1|0|"]) {
      const r = await c.send(command);
      expect([501, 504], `${command}: ${r.text}`).toContain(r.code);
      expect((await c.send("RETR victim.txt")).code).toBe(425);
    }
    expect((await c.send("PORT 127,0,0,1,4,0")).code).toBe(200);
    expect((await c.send("EPRT |1|127.0.0.1|1024|")).code).toBe(200);
    c.close();
  });
});

describe("passive data-port stealing", () => {
  /** Connects from 127.0.0.2 to `port` and sends `bytes`; resolves with what it received before being dropped. */
  function thief(port: number, bytes: Buffer): Promise<Buffer> {
    const s = net.connect({ host: "127.0.0.1", port, localAddress: "127.0.0.2" });
    const chunks: Buffer[] = [];
    return new Promise((resolve) => {
      s.on("connect", () => s.write(bytes, () => {}));
      s.on("data", (d) => chunks.push(d));
      s.on("error", () => {});
      s.on("close", () => resolve(Buffer.concat(chunks)));
    });
  }

  for (const offer of ["PASV", "EPSV"] as const) {
    it(`${offer}: a connection from another address can neither inject an upload nor read a listing`, async () => {
      await restoreFixture();
      const c = await client();
      const portOf = (text: string) => {
        const v4 = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(text);
        return v4 ? Number(v4[5]) * 256 + Number(v4[6]) : Number(/\|\|\|(\d+)\|/.exec(text)![1]);
      };

      // Upload: the thief comes first and sends its own bytes; the file gets only the client's.
      let port = portOf((await c.send(offer)).text);
      expect((await thief(port, Buffer.from("INJECTED BY A THIEF"))).length).toBe(0);
      let data = await connectData("127.0.0.1", port);
      expect((await c.send("STOR stolen.txt")).code).toBe(150);
      data.end("the real upload\n");
      expect((await c.read()).code).toBe(226);
      expect(await readFile(path.join(t.root, "stolen.txt"), "utf8")).toBe("the real upload\n");

      // Listing: the thief gets nothing, the client gets the listing.
      port = portOf((await c.send(offer)).text);
      expect((await thief(port, Buffer.alloc(0))).length).toBe(0);
      data = await connectData("127.0.0.1", port);
      const body = readAll(data);
      expect((await c.send("NLST")).code).toBe(150);
      expect((await c.read()).code).toBe(226);
      expect((await body).toString()).toContain("stolen.txt");
      c.close();
    });
  }

  it("a data connection that no transfer used is closed when the offer is replaced or the session ends", async () => {
    const c = await client();
    const unused: { socket: net.Socket; closed: boolean }[] = [];
    for (let i = 0; i < 5; i++) {
      const socket = await c.pasv();
      const entry = { socket, closed: false };
      socket.on("close", () => (entry.closed = true));
      socket.on("error", () => {});
      socket.resume();
      unused.push(entry);
    }
    // Each new PASV dropped the connection of the one before.
    await waitFor(() => unused.slice(0, 4).every((u) => u.closed), "the server to close replaced data connections");
    expect(unused[4]!.closed).toBe(false);
    c.close();
    await waitFor(() => unused[4]!.closed, "the server to close the last one with the session");
  });
});

describe("over-long lines", () => {
  beforeEach(restoreFixture);

  it("a line of 2048 bytes is a command, one byte more is 500, and a command in its tail never runs", async () => {
    const c = await client();
    expect((await c.send(`NOOP ${"x".repeat(2048 - 5)}`)).code).toBe(200);
    expect((await c.send(`NOOP ${"x".repeat(2048 - 4)}`)).code).toBe(500);
    expect((await c.send(`${"A".repeat(1024 * 1024)} DELE victim.txt`)).code).toBe(500);
    c.write(Buffer.concat([Buffer.alloc(3000, 0x20), Buffer.from("DELE victim.txt\r\n")]));
    expect((await c.read()).code).toBe(500);
    expect(existsSync(path.join(t.root, "victim.txt"))).toBe(true);
    expect((await c.send("NOOP")).code).toBe(200);
    c.close();
  });

  it("a 16 MiB line without an end costs one 500, and the session goes on", async () => {
    const c = await client();
    const piece = Buffer.alloc(256 * 1024, 0x42);
    for (let i = 0; i < 64; i++) await new Promise<void>((r) => c.socket.write(piece, () => r()));
    c.write("\r\n");
    expect((await c.read(20_000)).code).toBe(500);
    expect((await c.send("PWD")).code).toBe(257);
    c.close();
  });

  it("is answered in its turn among pipelined commands", async () => {
    const c = await client();
    c.write(`PWD\r\n${"X".repeat(3000)}\r\nNOOP\r\nSYST\r\n`);
    const codes = [(await c.read()).code, (await c.read()).code, (await c.read()).code, (await c.read()).code];
    expect(codes).toEqual([257, 500, 200, 215]);
    c.close();
  });
});

describe("restart offsets", () => {
  beforeEach(restoreFixture);

  it("REST past the end (or on a file that does not exist) + STOR is 554 and writes nothing: no sparse file of zeros", async () => {
    const c = await client();
    const upload = async (command: string, bytes: string) => {
      const data = await c.pasv();
      data.on("error", () => {});
      const r = await c.send(command);
      if (r.code === 150) {
        data.end(bytes);
        return [r.code, (await c.read()).code];
      }
      data.destroy();
      return [r.code];
    };
    expect((await c.send("REST 999999999999999")).code).toBe(350);
    expect(await upload("STOR sparse.bin", "x")).toEqual([554]);
    expect(existsSync(path.join(t.root, "sparse.bin"))).toBe(false);
    expect((await c.send("REST 1")).code).toBe(350);
    expect(await upload("STOR sparse.bin", "x")).toEqual([554]);
    expect(existsSync(path.join(t.root, "sparse.bin"))).toBe(false);

    expect((await c.send("REST 8")).code).toBe(350);
    expect(await upload("STOR victim.txt", "x")).toEqual([554]);
    expect(await readFile(path.join(t.root, "victim.txt"), "utf8")).toBe("victim\n");
    // At the end exactly, it resumes.
    expect((await c.send("REST 7")).code).toBe(350);
    expect(await upload("STOR victim.txt", "more\n")).toEqual([150, 226]);
    expect(await readFile(path.join(t.root, "victim.txt"), "utf8")).toBe("victim\nmore\n");
    c.close();
  });
});
