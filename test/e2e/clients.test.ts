// The server driven by real FTP clients: curl, lftp, Python's ftplib and basic-ftp, each in
// passive and active mode where the client has both. The clients are installed by
// scripts/test-setup.mjs (`npm test` runs it first); a missing one fails its tests, never skips.
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PassThrough, Readable, Writable } from "node:stream";
import { Client, enterPassiveModeIPv4, enterPassiveModeIPv6, FileType } from "basic-ftp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anonymousAccount, startServer, type TestServer } from "../support/server.ts";

const CURL = "/usr/bin/curl";
const LFTP = "/usr/bin/lftp";
const PYTHON = "python3";
/** Each client call is killed after this long. */
const CLIENT_TIMEOUT_MS = 30_000;
/** What a client may print; listings and debug output stay far below. */
const MAX_OUTPUT = 8 * 1024 * 1024;
/** curl's exit statuses (man curl, "EXIT CODES"). */
const CURLE_QUOTE_ERROR = 21;
const CURLE_UPLOAD_FAILED = 25;
const SETUP_HINT = "run `node scripts/test-setup.mjs` as root (npm test does) to install the FTP clients";

interface ToolResult {
  /** Exit status; -1 when the process died of a signal. */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a client program to the end. A missing program or a timeout is an error, not a result:
 * every test that needs a client that is not installed fails, saying how to install it.
 */
function runTool(file: string, args: string[], cwd?: string): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { cwd, timeout: CLIENT_TIMEOUT_MS, maxBuffer: MAX_OUTPUT, encoding: "utf8", env: { ...process.env, LC_ALL: "C.UTF-8", HOME: os.tmpdir() } },
      (err, stdout, stderr) => {
        if ((err as NodeJS.ErrnoException | null)?.code === "ENOENT") return reject(new Error(`${file} is not installed: ${SETUP_HINT}`));
        if (err?.killed) return reject(new Error(`${path.basename(file)} did not finish within ${CLIENT_TIMEOUT_MS} ms\n${stderr}`));
        resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

/** Exit status 0, or an error that shows what the client printed. */
function succeeded(r: ToolResult): ToolResult {
  if (r.code !== 0) throw new Error(`client exited with ${r.code}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`);
  return r;
}

/** curl, verbose so that the commands it sent can be checked in stderr ("> EPSV"). */
function curl(...args: string[]): Promise<ToolResult> {
  return runTool(CURL, ["--silent", "--show-error", "--verbose", "--max-time", "25", ...args]);
}

/** The code of the first reply curl --verbose shows after it sent `command` ("> DELE x" … "< 550"). */
function curlReplyTo(stderr: string, command: string): number | null {
  const lines = stderr.split(/\r?\n/);
  const sent = lines.findIndex((l) => l.startsWith(`> ${command}`));
  const answer = sent < 0 ? undefined : lines.slice(sent + 1).find((l) => /^< \d{3}/.test(l));
  return answer ? Number(answer.slice(2, 5)) : null;
}

/**
 * An lftp session as alice, with debug output (the commands sent) in stderr: `mode` settings
 * first, then `commands` in order; the first failing command ends it with exit status 1.
 */
function lftp(port: number, mode: string[], commands: string[], cwd: string): Promise<ToolResult> {
  const settings = [
    ...mode,
    "set ssl:verify-certificate no",
    "set ftp:ssl-allow no",
    "set cmd:fail-exit yes",
    "set net:max-retries 1",
    "set net:timeout 10",
    "set xfer:clobber yes",
  ];
  const script = [...settings, ...commands, "bye"].join("; ");
  return runTool(LFTP, ["-d", "-u", "alice,secret", "-p", String(port), "-e", script, "127.0.0.1"], cwd);
}

/**
 * A Python ftplib session as alice, in passive or active mode: `body` runs between login and
 * QUIT, fills the dict `result`, which is printed as JSON. `sent` lists the verbs sent.
 */
async function python(port: number, passive: boolean, body: string): Promise<Record<string, unknown>> {
  const script = `
import ftplib, hashlib, io, json
ftp = ftplib.FTP()
ftp.connect("127.0.0.1", ${port}, timeout=20)
sent = []
_putcmd = ftp.putcmd
def putcmd(line):
    sent.append(line.split(" ")[0].upper())
    _putcmd(line)
ftp.putcmd = putcmd
ftp.login("alice", "secret")
ftp.set_pasv(${passive ? "True" : "False"})
result = {}
${body}
ftp.quit()
result["sent"] = sent
print(json.dumps(result))
`;
  const r = succeeded(await runTool(PYTHON, ["-c", script]));
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** A folder of `count` files with random contents spread over nested folders; path → bytes. */
async function makeTree(root: string, count: number): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const dir = ["", "alpha", "alpha/beta", "alpha/beta/gamma", "delta"][i % 5]!;
    const rel = path.posix.join(dir, `file-${i}.bin`);
    const bytes = randomBytes(1 + ((i * 7919) % 40_000));
    await mkdir(path.join(root, dir), { recursive: true });
    await writeFile(path.join(root, rel), bytes);
    files.set(rel, bytes);
  }
  await mkdir(path.join(root, "empty"), { recursive: true });
  return files;
}

/** Every file under `root`, relative path → bytes. */
async function readTree(root: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(root, full).split(path.sep).join("/"), await readFile(full));
  }
  return files;
}

function expectSameTree(actual: Map<string, Buffer>, expected: Map<string, Buffer>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [rel, bytes] of expected) expect(sha256(actual.get(rel)!), rel).toBe(sha256(bytes));
}

let t: TestServer;
/** A second server, with only an anonymous account (read-only "/", writable "/upload"). */
let anon: TestServer | undefined;
/** Local scratch space of the clients (downloads, files to upload). */
let local: string;

beforeAll(async () => {
  t = await startServer();
  local = await mkdtemp(path.join(os.tmpdir(), "ftpi-clients-"));
});
afterAll(async () => {
  await t.close();
  await rm(local, { recursive: true, force: true });
});

const url = (p: string): string => `ftp://127.0.0.1:${t.port}${p}`;

describe("curl", () => {
  const modes = [
    { name: "passive, EPSV", args: [], verb: "EPSV" },
    { name: "passive, PASV", args: ["--disable-epsv"], verb: "PASV" },
    { name: "active, EPRT", args: ["--ftp-port", "127.0.0.1"], verb: "EPRT" },
    { name: "active, PORT", args: ["--ftp-port", "127.0.0.1", "--disable-eprt"], verb: "PORT" },
  ];

  describe.each(modes)("$name", ({ args, verb }) => {
    const dir = `/curl-${verb.toLowerCase()}`;
    const remote = (rel: string): string => path.join(t.root, dir, rel);
    const as = (...more: string[]): Promise<ToolResult> => curl("--user", "alice:secret", ...args, ...more);
    let content: Buffer;

    beforeAll(async () => {
      content = randomBytes(300_000);
      await mkdir(path.join(t.root, dir, "sub"), { recursive: true });
      await writeFile(remote("data.bin"), content);
      await writeFile(remote("sub/small.txt"), "small\n");
    });

    it("lists a folder (LIST) and its names (NLST)", async () => {
      const r = succeeded(await as(url(`${dir}/`)));
      expect(r.stderr).toContain(`> ${verb}`);
      // curl turns the CRLF of an ASCII-mode listing into LF.
      const lines = r.stdout.trimEnd().split("\n");
      expect(lines.find((l) => l.endsWith(" data.bin"))).toMatch(/^-rw\S* .* 300000 \w{3} [ \d]\d [ \d]\d:?\d\d data\.bin$/);
      expect(lines.find((l) => l.endsWith(" sub"))).toMatch(/^d/);
      const names = succeeded(await as("--list-only", url(`${dir}/`)));
      expect(names.stderr).toContain("> NLST");
      expect(names.stdout.trimEnd().split("\n").sort()).toEqual(["data.bin", "sub"]);
    });

    it("downloads a file byte for byte", async () => {
      const out = path.join(local, `curl-${verb}-download.bin`);
      const r = succeeded(await as("--output", out, url(`${dir}/data.bin`)));
      expect(r.stderr).toContain(`> ${verb}`);
      expect(r.stderr).toContain("> RETR data.bin");
      expect(sha256(await readFile(out))).toBe(sha256(content));
    });

    it("uploads a file with -T", async () => {
      const src = path.join(local, `curl-${verb}-upload.bin`);
      const bytes = randomBytes(123_457);
      await writeFile(src, bytes);
      const r = succeeded(await as("-T", src, url(`${dir}/uploaded.bin`)));
      expect(r.stderr).toContain("> STOR uploaded.bin");
      expect(sha256(await readFile(remote("uploaded.bin")))).toBe(sha256(bytes));
    });

    it("resumes an upload with -C -", async () => {
      const src = path.join(local, `curl-${verb}-resume-up.bin`);
      const bytes = randomBytes(200_000);
      await writeFile(src, bytes);
      await writeFile(remote("partial-up.bin"), bytes.subarray(0, 77_777));
      const r = succeeded(await as("-C", "-", "-T", src, url(`${dir}/partial-up.bin`)));
      expect(r.stderr).toContain("> SIZE partial-up.bin");
      expect(r.stderr).toContain("> APPE partial-up.bin");
      expect(sha256(await readFile(remote("partial-up.bin")))).toBe(sha256(bytes));
    });

    it("resumes a download with -C -", async () => {
      const out = path.join(local, `curl-${verb}-resume-down.bin`);
      await writeFile(out, content.subarray(0, 100_001));
      const r = succeeded(await as("-C", "-", "--output", out, url(`${dir}/data.bin`)));
      expect(r.stderr).toContain("> REST 100001");
      expect(sha256(await readFile(out))).toBe(sha256(content));
    });

    it("deletes a file with -Q DELE", async () => {
      await writeFile(remote("doomed.txt"), "bye");
      const r = succeeded(await as("--quote", `DELE ${dir}/doomed.txt`, "--list-only", url(`${dir}/`)));
      expect(curlReplyTo(r.stderr, `DELE ${dir}/doomed.txt`)).toBe(250);
      expect(r.stdout).not.toContain("doomed.txt");
      await expect(stat(remote("doomed.txt"))).rejects.toThrow();
    });

    it("creates missing folders with --ftp-create-dirs", async () => {
      const src = path.join(local, `curl-${verb}-deep.txt`);
      await writeFile(src, "deep down");
      const r = succeeded(await as("--ftp-create-dirs", "-T", src, url(`${dir}/new/deeper/deep.txt`)));
      expect(r.stderr).toContain("> MKD new");
      expect(await readFile(remote("new/deeper/deep.txt"), "utf8")).toBe("deep down");
    });

    it("reaches a nested file with --ftp-method nocwd, singlecwd and multicwd", async () => {
      const expected = {
        nocwd: [`> RETR ${dir.slice(1)}/sub/small.txt`],
        singlecwd: [`> CWD ${dir.slice(1)}/sub`, "> RETR small.txt"],
        multicwd: [`> CWD ${dir.slice(1)}`, "> CWD sub", "> RETR small.txt"],
      };
      for (const [method, commands] of Object.entries(expected)) {
        const r = succeeded(await as("--ftp-method", method, url(`${dir}/sub/small.txt`)));
        expect(r.stdout, method).toBe("small\n");
        for (const c of commands) expect(r.stderr, method).toContain(c);
      }
    });

    it("uploads, lists and downloads a UTF-8 file name with spaces", async () => {
      const name = "héllo wörld ✓.txt";
      const encoded = encodeURIComponent(name);
      const src = path.join(local, `curl-${verb}-utf8.txt`);
      await writeFile(src, "unicode content");
      succeeded(await as("-T", src, url(`${dir}/${encoded}`)));
      expect(await readFile(remote(name), "utf8")).toBe("unicode content");
      const names = succeeded(await as("--list-only", url(`${dir}/`)));
      expect(names.stdout.split("\n")).toContain(name);
      const back = succeeded(await as(url(`${dir}/${encoded}`)));
      expect(back.stdout).toBe("unicode content");
    });
  });
});

describe("lftp", () => {
  describe.each([
    { name: "passive, PASV", mode: ["set ftp:passive-mode on", "set ftp:prefer-epsv no"], verb: "PASV" },
    { name: "passive, EPSV", mode: ["set ftp:passive-mode on", "set ftp:prefer-epsv yes"], verb: "EPSV" },
    { name: "active, PORT", mode: ["set ftp:passive-mode off"], verb: "PORT" },
  ])("$name", ({ mode, verb }) => {
    const dir = `/lftp-${verb.toLowerCase()}`;
    const remote = (rel: string): string => path.join(t.root, dir, rel);
    let work: string;
    const session = (commands: string[]): Promise<ToolResult> => lftp(t.port, mode, commands, work);

    beforeAll(async () => {
      work = await mkdtemp(path.join(local, `lftp-${verb}-`));
      await mkdir(remote("sub"), { recursive: true });
      await writeFile(remote("data.bin"), randomBytes(12_345));
      await writeFile(remote("with space ✓.txt"), "ten bytes!");
    });

    it("shows names and sizes with ls, and parses them for cls -l from MLSD and from LIST", async () => {
      const r = succeeded(await session([`cd ${dir}`, "ls", "echo ----", "cls -l", "echo ----", "set ftp:use-mlsd no", "cache flush", "cls -l"]));
      expect(r.stderr).toContain("---> LIST");
      expect(r.stderr).toContain("---> MLSD");
      expect(r.stderr).toContain(`---> ${verb}`);
      const [ls = "", cls = "", clsFromList = ""] = r.stdout.split("----\n");
      const lsLines = ls.trimEnd().split("\n");
      expect(lsLines).toHaveLength(3);
      expect(lsLines.find((l) => l.endsWith(" data.bin"))).toMatch(/^-rw\S*\s+\d+\s+\S+\s+\S+\s+12345 \w{3} [ \d]\d +[\d:]+ data\.bin$/);
      expect(lsLines.find((l) => l.endsWith(" with space ✓.txt"))).toMatch(/\s10 \w{3} .* with space ✓\.txt$/);
      expect(lsLines.find((l) => l.endsWith(" sub"))).toMatch(/^d/);
      // From LIST lftp also knows links, owner and group, and shows them.
      for (const parsed of [cls, clsFromList]) {
        const lines = parsed.trimEnd().split("\n");
        expect(lines).toHaveLength(3);
        expect(lines.find((l) => l.endsWith(" data.bin"))).toMatch(/^-rw\S*\s(.*\s)?12345 \w{3} [ \d]\d +[\d:]+ data\.bin$/);
        expect(lines.find((l) => l.endsWith(" with space ✓.txt"))).toMatch(/^-rw\S*\s(.*\s)?10 \w{3} .* with space ✓\.txt$/);
        expect(lines.find((l) => l.endsWith(" sub/"))).toMatch(/^d/);
      }
    });

    it("gets and puts files byte for byte, and removes them with rm", async () => {
      const up = randomBytes(222_222);
      await writeFile(path.join(work, "up.bin"), up);
      const r = succeeded(
        await session([`cd ${dir}`, `get data.bin -o ${work}/data.bin`, `put ${work}/up.bin -o put.bin`, `get put.bin -o ${work}/back.bin`, "rm data.bin"]),
      );
      expect(r.stderr).toContain(`---> ${verb}`);
      expect(r.stderr).toContain("---> STOR put.bin");
      expect(sha256(await readFile(remote("put.bin")))).toBe(sha256(up));
      expect(sha256(await readFile(path.join(work, "back.bin")))).toBe(sha256(up));
      expect((await readFile(path.join(work, "data.bin"))).length).toBe(12_345);
      await expect(stat(remote("data.bin"))).rejects.toThrow();
    });

    it("pget -n 4 fetches one file in four parts over four sessions (REST, ABOR)", async () => {
      const large = randomBytes(16 * 1024 * 1024);
      await writeFile(remote("large.bin"), large);
      // Throttled, or on loopback the first session has it all before the others log in.
      const r = succeeded(await session(["set pget:min-chunk-size 256k", "set net:limit-rate 4M", `pget -n 4 ${dir}/large.bin -o ${work}/large.bin`]));
      expect(r.stderr).toMatch(/---> REST [1-9]\d*/);
      expect(sha256(await readFile(path.join(work, "large.bin")))).toBe(sha256(large));
    });

    it("mirrors a tree down and back up (mirror -R), byte for byte", async () => {
      const served = await makeTree(remote("tree"), 20);
      const down = path.join(work, "down");
      succeeded(await session([`mirror ${dir}/tree ${down}`]));
      expectSameTree(await readTree(down), served);
      expect((await stat(path.join(down, "empty"))).isDirectory()).toBe(true);

      const source = path.join(work, "source");
      const uploaded = await makeTree(source, 20);
      const r = succeeded(await session([`mirror -R ${source} ${dir}/uploaded`]));
      expect(r.stderr).toContain("---> MKD");
      expectSameTree(await readTree(remote("uploaded")), uploaded);
      expect((await stat(remote("uploaded/empty"))).isDirectory()).toBe(true);

      // Sizes and times (MLSD modify, set by MFMT on upload) agree: a second run moves nothing.
      const again = succeeded(await session([`mirror ${dir}/tree ${down}`, `mirror -R ${source} ${dir}/uploaded`]));
      expect(again.stderr).not.toMatch(/---> (RETR|STOR) /);
    });
  });
});

describe("Python ftplib", () => {
  describe.each([
    { name: "passive", passive: true, verb: "PASV" },
    { name: "active", passive: false, verb: "PORT" },
  ])("$name mode", ({ name, passive, verb }) => {
    const dir = `/python-${name}`;
    const remote = (rel: string): string => path.join(t.root, dir, rel);
    const session = (body: string): Promise<Record<string, unknown>> => python(t.port, passive, `ftp.cwd("${dir}")\n${body}`);
    let content: Buffer;

    beforeAll(async () => {
      content = randomBytes(150_000);
      await mkdir(remote("sub"), { recursive: true });
      await writeFile(remote("data.bin"), content);
      await writeFile(remote("big.bin"), Buffer.alloc(32 * 1024 * 1024, 1));
      await utimes(remote("data.bin"), new Date("2022-03-04T05:06:07Z"), new Date("2022-03-04T05:06:07Z"));
    });

    it("logs in, lists names (NLST) and facts (MLSD), asks SIZE", async () => {
      const r = await session(`
result["welcome"] = ftp.getwelcome()
result["pwd"] = ftp.pwd()
result["nlst"] = sorted(ftp.nlst())
result["mlsd"] = {name: facts for name, facts in ftp.mlsd()}
result["mlsd_chosen"] = {name: facts for name, facts in ftp.mlsd(facts=["type", "size"])}
result["size"] = ftp.size("data.bin")
`);
      expect(r.welcome).toBe("220 ftpi test server");
      expect(r.pwd).toBe(dir);
      expect(r.sent).toContain(verb);
      expect(r.nlst).toEqual(["big.bin", "data.bin", "sub"]);
      const mlsd = r.mlsd as Record<string, Record<string, string>>;
      expect(mlsd["data.bin"]).toMatchObject({ type: "file", size: "150000", modify: expect.stringMatching(/^20220304050607(\.\d+)?$/) });
      expect(mlsd["data.bin"]!.perm).toMatch(/^[adfrw]+$/);
      expect(mlsd["data.bin"]!.perm).toContain("r");
      expect(mlsd["data.bin"]!.unique).toMatch(/\S/);
      expect(mlsd["sub"]).toMatchObject({ type: "dir" });
      expect(mlsd["sub"]!.perm).toMatch(/^[cdeflmp]+$/);
      // mlsd(facts=…) sends OPTS MLST first (RFC 3659 §7.9): only those facts come back.
      expect(r.sent).toContain("OPTS");
      expect((r.mlsd_chosen as Record<string, unknown>)["data.bin"]).toEqual({ type: "file", size: "150000" });
      expect(r.size).toBe(150_000);
    });

    it("downloads (retrbinary) and uploads (storbinary), and resumes both with REST", async () => {
      const r = await session(`
def fetch(cmd, rest=None):
    buf = bytearray()
    ftp.retrbinary(cmd, buf.extend, rest=rest)
    return buf
whole = fetch("RETR data.bin")
tail = fetch("RETR data.bin", rest=100000)
result["whole"] = [len(whole), hashlib.sha256(whole).hexdigest()]
result["tail"] = [len(tail), hashlib.sha256(tail).hexdigest()]
payload = bytes(range(256)) * 400
result["stor"] = ftp.storbinary("STOR up.bin", io.BytesIO(payload[:60000]))
result["rest_stor"] = ftp.storbinary("STOR up.bin", io.BytesIO(payload[60000:]), rest=60000)
result["uploaded"] = hashlib.sha256(payload).hexdigest()
`);
      expect(r.whole).toEqual([150_000, sha256(content)]);
      expect(r.tail).toEqual([50_000, sha256(content.subarray(100_000))]);
      expect(r.stor).toMatch(/^226/);
      expect(r.rest_stor).toMatch(/^226/);
      expect(r.sent).toContain("REST");
      expect(sha256(await readFile(remote("up.bin")))).toBe(r.uploaded);
    });

    it("renames and deletes; a missing file is a 550 error", async () => {
      await writeFile(remote("old-name.txt"), "rename me");
      const r = await session(`
result["rename"] = ftp.rename("old-name.txt", "sub/new-name.txt")
result["delete"] = ftp.delete("sub/new-name.txt")
try:
    ftp.delete("sub/new-name.txt")
except ftplib.error_perm as e:
    result["again"] = str(e)
`);
      expect(r.rename).toMatch(/^250/);
      expect(r.delete).toMatch(/^250/);
      expect(r.again).toMatch(/^550/);
      await expect(stat(remote("old-name.txt"))).rejects.toThrow();
      await expect(stat(remote("sub/new-name.txt"))).rejects.toThrow();
    });

    it("abort() during a big RETR (ABOR sent as urgent data) keeps the session usable", async () => {
      // ftplib sends "ABOR\r\n" with MSG_OOB, the Telnet Synch of RFC 959 §4.1.3: its last
      // byte travels as TCP urgent data. The transfer answers 426, then ABOR itself 226.
      const r = await session(`
ftp.voidcmd("TYPE I")
conn = ftp.transfercmd("RETR big.bin")
got = 0
while got < 1 << 20:
    chunk = conn.recv(65536)
    if not chunk:
        break
    got += len(chunk)
result["received"] = got
result["abort"] = ftp.abort()
if result["abort"].startswith("426"):
    result["after"] = ftp.getresp()
conn.close()
result["noop"] = ftp.sendcmd("NOOP")
result["pwd"] = ftp.pwd()
`);
      expect(r.received).toBeGreaterThanOrEqual(1 << 20);
      expect(r.abort).toMatch(/^426/);
      expect(r.after).toMatch(/^226/);
      expect(r.noop).toMatch(/^200/);
      expect(r.pwd).toBe(dir);
    });
  });
});

// basic-ftp has no active mode; it runs over both kinds of passive offer instead.
describe("basic-ftp", () => {
  describe.each([
    { name: "EPSV", strategy: enterPassiveModeIPv6 },
    { name: "PASV", strategy: enterPassiveModeIPv4 },
  ])("passive mode over $name", ({ name, strategy }) => {
    const dir = `/basic-ftp-${name.toLowerCase()}`;
    const remote = (rel: string): string => path.join(t.root, dir, rel);
    let client: Client;
    let sent: string[];

    beforeAll(async () => {
      await mkdir(remote("sub"), { recursive: true });
      await writeFile(remote("data.bin"), randomBytes(4321));
      await utimes(remote("data.bin"), new Date("2021-03-04T05:06:07Z"), new Date("2021-03-04T05:06:07Z"));
      await writeFile(remote("with space ✓.txt"), "x");
      client = new Client(CLIENT_TIMEOUT_MS);
      sent = [];
      client.ftp.verbose = true;
      client.ftp.log = (message: string) => {
        if (message.startsWith("> ")) sent.push(message.slice(2));
      };
      await client.access({ host: "127.0.0.1", port: t.port, user: "alice", password: "secret" });
      client.prepareTransfer = strategy;
      await client.cd(dir);
    });
    afterAll(() => client?.close());

    it("lists a folder with name, size, type and modifiedAt parsed", async () => {
      const list = await client.list();
      expect(sent).toContain(name);
      expect(sent).toContain("MLSD");
      const byName = new Map(list.map((e) => [e.name, e]));
      expect([...byName.keys()].sort()).toEqual(["data.bin", "sub", "with space ✓.txt"]);
      expect(byName.get("data.bin")).toMatchObject({ type: FileType.File, size: 4321 });
      expect(byName.get("data.bin")!.modifiedAt?.toISOString()).toBe("2021-03-04T05:06:07.000Z");
      expect(byName.get("sub")!.type).toBe(FileType.Directory);
      expect(byName.get("with space ✓.txt")).toMatchObject({ type: FileType.File, size: 1 });
    });

    it("uploads from and downloads to streams, and appends", async () => {
      const first = randomBytes(70_000);
      const second = randomBytes(30_000);
      await client.uploadFrom(Readable.from([first]), "streamed.bin");
      await client.appendFrom(Readable.from([second]), "streamed.bin");
      const chunks: Buffer[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          chunks.push(chunk);
          done();
        },
      });
      await client.downloadTo(sink, "streamed.bin");
      const expected = Buffer.concat([first, second]);
      expect(sha256(Buffer.concat(chunks))).toBe(sha256(expected));
      expect(sha256(await readFile(remote("streamed.bin")))).toBe(sha256(expected));
      expect(sent).toContain("APPE streamed.bin");
    });

    it("ensureDir, rename, size, lastMod and removeDir", async () => {
      await client.ensureDir("made/by/ensure");
      expect(await client.pwd()).toBe(`${dir}/made/by/ensure`);
      await client.uploadFrom(Readable.from([Buffer.from("twelve bytes")]), "file.txt");
      await client.rename("file.txt", "renamed.txt");
      expect(await client.size("renamed.txt")).toBe(12);
      const modified = await client.lastMod("renamed.txt");
      expect(Math.abs(modified.getTime() - (await stat(remote("made/by/ensure/renamed.txt"))).mtime.getTime())).toBeLessThan(1000);
      await client.cd(dir);
      await client.removeDir("made");
      await expect(stat(remote("made"))).rejects.toThrow();
      expect(await client.pwd()).toBe(dir);
    });

    it("round-trips 50 MiB with the same sha256", { timeout: 60_000 }, async () => {
      const big = randomBytes(50 * 1024 * 1024);
      await client.uploadFrom(Readable.from([big]), "big.bin");
      expect(sha256(await readFile(remote("big.bin")))).toBe(sha256(big));
      const hash = createHash("sha256");
      const sink = new PassThrough();
      sink.on("data", (c: Buffer) => hash.update(c));
      await client.downloadTo(sink, "big.bin");
      expect(hash.digest("hex")).toBe(sha256(big));
      await client.remove("big.bin");
    });
  });
});

describe("anonymous session", () => {
  let work: string;
  const anonUrl = (p: string): string => `ftp://127.0.0.1:${anon!.port}${p}`;
  const upload = (): string => path.join(anon!.root, "upload");

  beforeAll(async () => {
    anon = await startServer({ accounts: (root) => [anonymousAccount(root)] });
    work = await mkdtemp(path.join(local, "anonymous-"));
    await mkdir(upload());
    await writeFile(path.join(anon.root, "public.txt"), "for everyone\n");
    await writeFile(path.join(upload(), "existing.txt"), "keep me");
  });
  afterAll(() => anon?.close());

  describe.each([
    { name: "passive", args: [] },
    { name: "active", args: ["--ftp-port", "127.0.0.1"] },
  ])("$name mode", ({ name, args }) => {
    /** curl names an upload after the local file when the URL ends in "/". */
    let newFile: string;
    beforeAll(async () => {
      newFile = path.join(work, `${name}-new.txt`);
      await writeFile(newFile, "from a stranger");
    });

    it("downloads as anonymous", async () => {
      const r = succeeded(await curl(...args, anonUrl("/public.txt")));
      expect(r.stderr).toContain("> USER anonymous");
      expect(r.stdout).toBe("for everyone\n");
    });

    it("may not upload to / (550)", async () => {
      const r = await curl(...args, "-T", newFile, anonUrl("/"));
      expect(r.code).toBe(CURLE_UPLOAD_FAILED);
      expect(curlReplyTo(r.stderr, "STOR")).toBe(550);
      await expect(stat(path.join(anon!.root, path.basename(newFile)))).rejects.toThrow();
    });

    it("may upload to /upload/", async () => {
      succeeded(await curl(...args, "-T", newFile, anonUrl("/upload/")));
      expect(await readFile(path.join(upload(), path.basename(newFile)), "utf8")).toBe("from a stranger");
    });

    it("may not delete in /upload (550)", async () => {
      const r = await curl(...args, "--quote", "DELE /upload/existing.txt", anonUrl("/upload/"));
      expect(r.code).toBe(CURLE_QUOTE_ERROR);
      expect(curlReplyTo(r.stderr, "DELE")).toBe(550);
      expect(await readFile(path.join(upload(), "existing.txt"), "utf8")).toBe("keep me");
    });

    it("may not overwrite an existing file in /upload (550)", async () => {
      const r = await curl(...args, "-T", newFile, anonUrl("/upload/existing.txt"));
      expect(r.code).toBe(CURLE_UPLOAD_FAILED);
      expect(curlReplyTo(r.stderr, "STOR existing.txt")).toBe(550);
      expect(await readFile(path.join(upload(), "existing.txt"), "utf8")).toBe("keep me");
    });
  });
});

describe("the server, after all of the above", () => {
  it("logged no internal error", () => {
    const logs = [...t.logs, ...(anon?.logs ?? [])];
    expect(logs.filter((line) => /^\S+ ERROR /.test(line))).toEqual([]);
  });
});
