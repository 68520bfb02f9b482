import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { hashPassword } from "../../core/auth/password.ts";
import type { LogEvent } from "../../core/config/types.ts";
import { createLogger } from "../../core/log/logger.ts";
import { ControlClient, readAll } from "../support/control.ts";
import { freePort, RUNTIMES, startFtpi } from "../support/process.ts";
import { account, anonymousAccount, startServer, type TestServer } from "../support/server.ts";
import { sleep, waitFor } from "../support/wait.ts";

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function login(t: TestServer, user = "alice", pass = "secret"): Promise<ControlClient> {
  const c = await ControlClient.connect(t.port);
  await c.login(user, pass);
  return c;
}

async function upload(c: ControlClient, command: string, payload: Buffer | string): Promise<void> {
  const data = await c.pasv();
  expect((await c.send(command)).code).toBe(150);
  data.end(payload);
  expect((await c.read()).code).toBe(226);
}

/** The greeting, a login refused with 530, then one accepted with 230. */
async function failThenLogin(c: ControlClient, wrong: { user: string; pass: string }, right: { user: string; pass: string }): Promise<void> {
  expect((await c.read()).code).toBe(220);
  await c.send(`USER ${wrong.user}`);
  expect((await c.send(`PASS ${wrong.pass}`)).code).toBe(530);
  await c.send(`USER ${right.user}`);
  expect((await c.send(`PASS ${right.pass}`)).code).toBe(230);
}

async function download(c: ControlClient, command: string): Promise<Buffer> {
  const data = await c.pasv();
  const body = readAll(data);
  expect((await c.send(command)).code).toBe(150);
  expect((await c.read()).code).toBe(226);
  return body;
}

describe("xferlog", () => {
  /** The lines of the xferlog once it holds `n` of them (the server writes them asynchronously). */
  async function xferlogLines(t: TestServer, n: number): Promise<string[]> {
    const file = path.join(t.dataDir, "xferlog");
    let lines: string[] = [];
    await waitFor(async () => {
      lines = (await readFile(file, "utf8").catch(() => "")).split("\n").filter(Boolean);
      return lines.length >= n;
    }, `${n} xferlog lines`);
    return lines;
  }

  /**
   * xferlog(5) fields. The first, current-time, is ctime(3) text ("Mon Nov  3 18:00:00 2026")
   * and holds spaces itself; the thirteen after it hold none.
   */
  function fields(line: string): string[] {
    const m = /^(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}) (.*)$/.exec(line);
    expect(m, `xferlog line starts with a ctime date: ${line}`).not.toBeNull();
    const rest = m![2]!.split(" ");
    expect(rest.every((f) => f !== "" && !/\s/.test(f))).toBe(true);
    return [m![1]!, ...rest];
  }

  it("logs an upload and a download as 14-field lines with size, name, type, direction, user and c", async () => {
    const t = await startServer();
    servers.push(t);
    await writeFile(path.join(t.root, "notes.txt"), "one\ntwo\nthree\n");
    const c = await login(t);
    await c.send("TYPE I");
    await upload(c, "STOR photo.bin", Buffer.alloc(12345, 9));
    await c.send("TYPE A");
    await download(c, "RETR notes.txt");
    c.close();

    const [up, down] = (await xferlogLines(t, 2)).map(fields);
    expect(up).toHaveLength(14);
    expect(down).toHaveLength(14);
    // time, seconds, host, bytes, name, type, action, direction, access, user, service, auth, ident, status
    expect(up!.slice(2)).toEqual(["127.0.0.1", "12345", "/photo.bin", "b", "_", "i", "r", "alice", "ftp", "0", "*", "c"]);
    expect(down!.slice(2)).toEqual(["127.0.0.1", "14", "/notes.txt", "a", "_", "o", "r", "alice", "ftp", "0", "*", "c"]);
    for (const f of [up!, down!]) expect(f[1]).toMatch(/^[1-9]\d*$/);
  });

  it("marks an aborted transfer i (incomplete)", async () => {
    const t = await startServer();
    servers.push(t);
    await writeFile(path.join(t.root, "big.bin"), Buffer.alloc(32 * 1024 * 1024, 1));
    const c = await login(t);
    await c.send("TYPE I");
    const data = await c.pasv();
    data.pause();
    expect((await c.send("RETR big.bin")).code).toBe(150);
    await sleep(100);
    c.write("ABOR\r\n");
    expect((await c.read()).code).toBe(426);
    expect((await c.read()).code).toBe(226);
    data.destroy();
    c.close();
    const [line] = (await xferlogLines(t, 1)).map(fields);
    expect(line!.slice(4, 10)).toEqual(["/big.bin", "b", "_", "o", "r", "alice"]);
    expect(Number(line![3])).toBeLessThan(32 * 1024 * 1024);
    expect(line![13]).toBe("i");
  });

  it("logs the type and access mode of uploads cut off by a vanished client (the session is gone by then)", async () => {
    const t = await startServer({ accounts: async (root) => [anonymousAccount(root), await account("alice", root)] });
    servers.push(t);
    await mkdir(path.join(t.root, "upload"));
    await writeFile(path.join(t.root, "upload", "old.txt"), "the complete old file\n");
    const cut = async (user: string, pass: string, target: string) => {
      const c = await login(t, user, pass);
      await c.send("TYPE A");
      const data = await c.pasv();
      expect((await c.send(`STOR ${target}`)).code).toBe(150);
      data.write("some text\r\n".repeat(1000));
      await sleep(200);
      data.destroy();
      c.close();
    };
    await cut("anonymous", "guest@example.com", "/upload/new.txt");
    const [anon] = (await xferlogLines(t, 1)).map(fields);
    // A new file: in stream mode the vanished client's EOF cannot be told from the end of the
    // file, so its bytes are kept (a REST + STOR can finish it); the status is not asserted.
    expect(anon!.slice(4, 10)).toEqual(["/upload/new.txt", "a", "_", "i", "a", "anonymous"]);
    await cut("alice", "secret", "/upload/old.txt");
    const [, replaced] = (await xferlogLines(t, 2)).map(fields);
    expect(replaced!.slice(4, 10)).toEqual(["/upload/old.txt", "a", "_", "i", "r", "alice"]);
    expect(replaced![13]).toBe("i");
    expect(await readFile(path.join(t.root, "upload", "old.txt"), "utf8")).toBe("the complete old file\n");
  });
});

describe("session log", () => {
  async function jsonServer(events?: LogEvent[]): Promise<{ t: TestServer; lines: string[] }> {
    const lines: string[] = [];
    const logger = createLogger({ format: "json", level: "debug", out: (l) => lines.push(l) });
    const hunter2 = await hashPassword("hunter2");
    const t = await startServer({
      accounts: async (root) => [await account("alice", root, { passwordHash: hunter2 }), await account("bob", root)],
      extras: { logger },
      ...(events ? { options: { log: { format: "json", level: "debug", events, xferlog: null } } } : {}),
    });
    servers.push(t);
    await writeFile(path.join(t.root, "readme.txt"), "read me");
    return { t, lines };
  }

  /** A session touching every logged event: failed and good login, upload, download, delete, quit. */
  async function session(t: TestServer): Promise<void> {
    const c = await ControlClient.connect(t.port);
    await failThenLogin(c, { user: "bob", pass: "hunter2" }, { user: "alice", pass: "hunter2" });
    await c.send("TYPE I");
    await upload(c, "STOR up.txt", "uploaded");
    expect((await download(c, "RETR readme.txt")).toString()).toBe("read me");
    expect((await c.send("DELE up.txt")).code).toBe(250);
    expect((await c.send("QUIT")).code).toBe(221);
  }

  const parse = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

  it("writes connect, login, upload, download, delete and disconnect as JSON lines", async () => {
    const { t, lines } = await jsonServer();
    await session(t);
    await waitFor(() => lines.some((l) => l.includes('"msg":"disconnect"')), "the disconnect line");
    const records = parse(lines);
    const find = (msg: string) => records.find((r) => r.msg === msg);
    expect(find("connect")).toMatchObject({ level: "info", ip: "127.0.0.1" });
    expect(find("login failed")).toMatchObject({ level: "warn", user: "bob", reason: "bad-password" });
    expect(find("login ok")).toMatchObject({ level: "info", user: "alice" });
    expect(find("upload")).toMatchObject({ user: "alice", path: "/up.txt", bytes: 8, outcome: "ok" });
    expect(find("download")).toMatchObject({ user: "alice", path: "/readme.txt", bytes: 7, outcome: "ok" });
    expect(find("delete")).toMatchObject({ user: "alice", path: "/up.txt" });
    expect(find("disconnect")).toMatchObject({ ip: "127.0.0.1" });
    const id = find("connect")!.session;
    for (const msg of ["login ok", "upload", "download", "delete", "disconnect"]) expect(find(msg)!.session).toBe(id);
    for (const r of records) expect(typeof r.time).toBe("string");
  });

  it("at debug level logs the command lines, and never the password", async () => {
    const { t, lines } = await jsonServer();
    await session(t);
    await waitFor(() => lines.some((l) => l.includes('"msg":"disconnect"')), "the disconnect line");
    const commands = parse(lines).filter((r) => r.msg === "command").map((r) => r.line);
    expect(commands).toEqual(expect.arrayContaining(["TYPE I", "PASV", "STOR up.txt", "RETR readme.txt", "DELE up.txt", "QUIT"]));
    // USER with its name, PASS masked: the wrong password (bob's) as much as the right one.
    expect(commands.slice(0, 4)).toEqual(["USER bob", "PASS ***", "USER alice", "PASS ***"]);
    for (const r of parse(lines).filter((x) => x.msg === "command")) expect(r.level).toBe("debug");
    for (const line of lines) expect(line).not.toContain("hunter2");
  });

  it("in text format logs USER name and PASS ***, and no password anywhere (anonymous e-mail included)", async () => {
    const secret = "Tr0ub4dor-xq7";
    const hash = await hashPassword(secret);
    const t = await startServer({ accounts: async (root) => [await account("carol", root, { passwordHash: hash }), anonymousAccount(root)] });
    servers.push(t);
    const c = await ControlClient.connect(t.port);
    await failThenLogin(c, { user: "carol", pass: `${secret}-wrong` }, { user: "carol", pass: secret });
    // A client that sends the password with a tab instead of a space.
    c.write(`PASS\t${secret}\r\n`);
    await c.read();
    expect((await c.send("QUIT")).code).toBe(221);
    const anon = await ControlClient.connect(t.port);
    await anon.login("anonymous", `${secret}@example.com`);
    anon.close();
    await waitFor(() => t.logs.filter((l) => l.includes(" disconnect")).length >= 2, "two disconnects");
    const commands = t.logs.filter((l) => /DEBUG command /.test(l));
    expect(commands.some((l) => l.includes('line="USER carol"'))).toBe(true);
    expect(commands.filter((l) => l.includes('line="PASS ***"')).length).toBeGreaterThanOrEqual(3);
    for (const line of t.logs) expect(line.toLowerCase()).not.toContain(secret.toLowerCase());
  });

  it("with log.events [login] logs logins only", async () => {
    const { t, lines } = await jsonServer(["login"]);
    await session(t);
    await sleep(300);
    const messages = parse(lines).map((r) => r.msg);
    expect(messages).toEqual(["login failed", "login ok"]);
  });
});

describe("ftpi serve --log-format json", () => {
  it("writes every log line on stdout as one JSON object, with the session's events", { timeout: 30_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "ftpi-json-log-"));
    const port = await freePort();
    const pasv = 44000 + Math.floor(Math.random() * 200) * 10;
    const ftpi = await startFtpi(
      [...RUNTIMES.node!, "serve", "--root", path.join(dir, "share"), "--listen", `127.0.0.1:${port}`, "--passive-ports", `${pasv}-${pasv + 9}`, "--user", "alice:s3cret-pw", "--web-port", "0", "--data-dir", path.join(dir, "data"), "--log-format", "json"],
      { cwd: dir },
    );
    let exit: number | null = null;
    try {
      const c = await ControlClient.connect(port);
      await failThenLogin(c, { user: "alice", pass: "wrong" }, { user: "alice", pass: "s3cret-pw" });
      await c.send("TYPE I");
      await upload(c, "STOR up.txt", "uploaded");
      expect((await c.send("QUIT")).code).toBe(221);
      await waitFor(() => ftpi.stdout().includes('"msg":"disconnect"'), "the disconnect line");
    } finally {
      exit = await ftpi.stop();
    }
    expect(exit).toBe(0);
    // The startup block is for people; everything after it is JSON lines.
    const stdout = ftpi.stdout();
    const logStart = stdout.indexOf("\n{");
    expect(logStart).toBeGreaterThan(0);
    const lines = stdout.slice(logStart + 1).split("\n").filter(Boolean);
    const records = lines.map((l) => {
      expect(l, "a JSON log line").toMatch(/^\{.*\}$/);
      return JSON.parse(l) as Record<string, unknown>;
    });
    for (const r of records) {
      expect(typeof r.time).toBe("string");
      expect(["debug", "info", "warn", "error"]).toContain(r.level);
      expect(typeof r.msg).toBe("string");
    }
    // No text-format line anywhere on stdout, startup block included.
    expect(stdout).not.toMatch(/^\d{4}-\d\d-\d\dT\S+ (DEBUG|INFO |WARN |ERROR) /m);
    const find = (msg: string) => records.find((r) => r.msg === msg);
    expect(find("connect")).toMatchObject({ level: "info", ip: "127.0.0.1" });
    expect(find("login failed")).toMatchObject({ level: "warn", user: "alice", reason: "bad-password" });
    expect(find("login ok")).toMatchObject({ level: "info", user: "alice" });
    expect(find("upload")).toMatchObject({ user: "alice", path: "/up.txt", bytes: 8, outcome: "ok" });
    expect(find("disconnect")).toMatchObject({ ip: "127.0.0.1" });
    const session = find("connect")!.session;
    for (const msg of ["login failed", "login ok", "upload", "disconnect"]) expect(find(msg)!.session).toBe(session);
    // The SIGTERM line comes as JSON too.
    expect(records.some((r) => typeof r.msg === "string" && r.msg.startsWith("SIGTERM"))).toBe(true);
    expect(ftpi.output()).not.toContain("s3cret-pw");
  });
});
