import { mkdir, readFile, stat, writeFile, symlink, utimes } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ControlClient, readAll } from "../support/control.ts";
import { startServer, type TestServer } from "../support/server.ts";

let t: TestServer;

beforeAll(async () => {
  t = await startServer();
  await mkdir(path.join(t.root, "docs"));
  await writeFile(path.join(t.root, "docs", "readme.txt"), "line one\nline two\n");
  await writeFile(path.join(t.root, "hello.bin"), Buffer.from([0, 1, 2, 3, 10, 13, 10, 255]));
  await writeFile(path.join(t.root, "naïve café.txt"), "unicode");
  const old = path.join(t.root, "old.txt");
  await writeFile(old, "old");
  await utimes(old, new Date("2001-02-03T04:05:06Z"), new Date("2001-02-03T04:05:06Z"));
});
afterAll(() => t.close());

async function client(): Promise<ControlClient> {
  const c = await ControlClient.connect(t.port);
  await c.login();
  return c;
}

describe("greeting, login and access control (RFC 959 §4.1.1)", () => {
  it("greets with 220 and answers SYST, NOOP, FEAT before login", async () => {
    const c = await ControlClient.connect(t.port);
    expect((await c.read()).code).toBe(220);
    expect(await c.send("SYST")).toMatchObject({ code: 215, text: "215 UNIX Type: L8" });
    expect((await c.send("NOOP")).code).toBe(200);
    const feat = await c.send("FEAT");
    expect(feat.code).toBe(211);
    for (const f of ["EPSV", "EPRT", "MDTM", "SIZE", "REST STREAM", "UTF8", "MFMT", "CLNT"]) expect(feat.lines).toContain(` ${f}`);
    expect(feat.lines.some((l) => l.startsWith(" MLST type*;size*;modify*;perm*;unique*;"))).toBe(true);
    c.close();
  });

  it("refuses commands before login with 530 and keeps the session", async () => {
    const c = await ControlClient.connect(t.port);
    await c.read();
    expect((await c.send("PWD")).code).toBe(530);
    expect((await c.send("LIST")).code).toBe(530);
    expect((await c.send("PASS x")).code).toBe(503);
    expect((await c.send("NOOP")).code).toBe(200);
    c.close();
  });

  it("rejects a wrong password with 530 and closes after maxLoginFailures", async () => {
    const c = await ControlClient.connect(t.port);
    await c.read();
    for (let i = 1; i <= 3; i++) {
      expect((await c.send("USER alice")).code).toBe(331);
      const r = await c.send("PASS wrong");
      expect(r.code).toBe(530);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(c.closed).toBe(true);
  });

  it("answers an unknown user exactly like a wrong password", async () => {
    const c = await ControlClient.connect(t.port);
    await c.read();
    const u = await c.send("USER nobody");
    expect(u.code).toBe(331);
    expect(u.text).toBe("331 Password required for nobody.");
    expect((await c.send("PASS secret")).code).toBe(530);
    c.close();
  });

  it("ACCT is 502, REIN logs out, QUIT says goodbye with 221", async () => {
    const c = await client();
    expect((await c.send("ACCT x")).code).toBe(502);
    expect((await c.send("REIN")).code).toBe(220);
    expect((await c.send("PWD")).code).toBe(530);
    expect((await c.send("USER alice")).code).toBe(331);
    expect((await c.send("PASS secret")).code).toBe(230);
    const q = await c.send("QUIT");
    expect(q.code).toBe(221);
    await new Promise((r) => setTimeout(r, 50));
    expect(c.closed).toBe(true);
  });
});

describe("syntax and framing", () => {
  it("answers 500 to an unknown verb and to a line over 2048 bytes, and lives on", async () => {
    const c = await client();
    expect((await c.send("FROB")).code).toBe(500);
    expect((await c.send("NOOP " + "x".repeat(5000))).code).toBe(500);
    expect((await c.send("NOOP")).code).toBe(200);
    c.close();
  });

  it("accepts lower-case verbs and bare LF line ends", async () => {
    const c = await client();
    c.write("pwd\n");
    expect((await c.read()).code).toBe(257);
    c.close();
  });

  it("strips Telnet IAC sequences (IAC IP, IAC DM, option negotiation, IAC IAC)", async () => {
    const c = await client();
    c.write(Buffer.concat([Buffer.from([0xff, 0xf4, 0xff, 0xf2]), Buffer.from("NO"), Buffer.from([0xff, 0xfb, 0x01]), Buffer.from("OP\r\n")]));
    expect((await c.read()).code).toBe(200);
    c.close();
  });

  it("501 for missing arguments, 504 for unsupported parameters", async () => {
    const c = await client();
    expect((await c.send("RETR")).code).toBe(501);
    expect((await c.send("TYPE X")).code).toBe(501);
    expect((await c.send("TYPE E")).code).toBe(504);
    expect((await c.send("MODE B")).code).toBe(504);
    expect((await c.send("STRU R")).code).toBe(504);
    expect((await c.send("TYPE L 8")).code).toBe(200);
    expect((await c.send("TYPE A N")).code).toBe(200);
    expect((await c.send("MODE S")).code).toBe(200);
    expect((await c.send("STRU F")).code).toBe(200);
    expect((await c.send("ALLO 100")).code).toBe(202);
    c.close();
  });

  it("HELP lists commands as a multi-line 214, HELP verb gives syntax, SITE HELP lists SITE", async () => {
    const c = await client();
    const h = await c.send("HELP");
    expect(h.code).toBe(214);
    expect(h.lines.length).toBeGreaterThan(3);
    expect(h.text).toContain("MLSD");
    expect((await c.send("HELP RETR")).text).toContain("RETR <sp> pathname");
    expect((await c.send("SITE HELP")).code).toBe(214);
    expect((await c.send("SITE NOPE")).code).toBe(500);
    c.close();
  });

  it("OPTS UTF8 ON, OPTS MLST selects facts, CLNT is noted", async () => {
    const c = await client();
    expect((await c.send("OPTS UTF8 ON")).code).toBe(200);
    expect((await c.send("OPTS MLST type;size;")).text).toBe("200 MLST OPTS type;size;");
    const m = await c.send("MLST hello.bin");
    expect(m.lines[1]).toBe(" type=file;size=8; /hello.bin");
    expect((await c.send("CLNT curl 8")).code).toBe(200);
    c.close();
  });
});

describe("directories (PWD CWD CDUP MKD RMD and X-forms)", () => {
  it("moves around the virtual tree and never above /", async () => {
    const c = await client();
    expect((await c.send("PWD")).text).toBe('257 "/" is the current directory.');
    expect((await c.send("CWD docs")).code).toBe(250);
    expect((await c.send("XPWD")).text).toBe('257 "/docs" is the current directory.');
    expect((await c.send("CDUP")).code).toBe(250);
    expect((await c.send("CWD ../../..")).code).toBe(250);
    expect((await c.send("PWD")).text).toContain('"/"');
    expect((await c.send("XCWD /docs")).code).toBe(250);
    expect((await c.send("XCUP")).code).toBe(250);
    expect((await c.send("CWD nowhere")).code).toBe(550);
    expect((await c.send("CWD hello.bin")).code).toBe(550);
    c.close();
  });

  it("creates and removes folders, quoting names per RFC 959 appendix II", async () => {
    const c = await client();
    expect((await c.send('MKD a "quoted" dir')).text).toBe('257 "/a ""quoted"" dir" created.');
    expect((await c.send("XMKD x")).code).toBe(257);
    expect((await c.send("MKD x")).code).toBe(550);
    expect((await c.send("RMD x")).code).toBe(250);
    expect((await c.send('XRMD a "quoted" dir')).code).toBe(250);
    expect((await c.send("RMD docs")).code).toBe(550); // not empty
    c.close();
  });
});

describe("files (SIZE MDTM MFMT DELE RNFR RNTO MLST)", () => {
  it("reports size and modification time", async () => {
    const c = await client();
    expect((await c.send("SIZE hello.bin")).text).toBe("213 8");
    expect((await c.send("SIZE docs")).code).toBe(550);
    expect((await c.send("SIZE missing")).code).toBe(550);
    expect((await c.send("MDTM old.txt")).text).toBe("213 20010203040506");
    expect((await c.send("MFMT 20200102030405 old.txt")).text).toBe("213 Modify=20200102030405; /old.txt");
    expect((await c.send("MDTM old.txt")).text).toBe("213 20200102030405");
    expect((await c.send("MFMT garbage old.txt")).code).toBe(501);
    c.close();
  });

  it("renames and deletes; RNTO without RNFR is 503", async () => {
    await writeFile(path.join(t.root, "ren.txt"), "x");
    const c = await client();
    expect((await c.send("RNTO y")).code).toBe(503);
    expect((await c.send("RNFR ren.txt")).code).toBe(350);
    expect((await c.send("RNTO docs/renamed.txt")).code).toBe(250);
    expect(await readFile(path.join(t.root, "docs", "renamed.txt"), "utf8")).toBe("x");
    expect((await c.send("RNFR missing")).code).toBe(550);
    expect((await c.send("DELE docs/renamed.txt")).code).toBe(250);
    expect((await c.send("DELE docs/renamed.txt")).code).toBe(550);
    expect((await c.send("DELE docs")).code).toBe(550);
    c.close();
  });

  it("MLST gives the RFC 3659 facts of one entry", async () => {
    const c = await client();
    const r = await c.send("MLST hello.bin");
    expect(r.code).toBe(250);
    expect(r.lines[1]).toMatch(/^ type=file;size=8;modify=\d{14}(\.\d{3})?;perm=[adfrw]{5};unique=[0-9a-f]+\.[0-9a-f]+; \/hello\.bin$/);
    const d = await c.send("MLST /docs");
    expect(d.lines[1]).toMatch(/^ type=dir;modify=\d+.*;perm=[a-z]+;unique=.*; \/docs$/);
    c.close();
  });
});

describe("data transfers", () => {
  it("LIST over PASV in ls -l form, with a year for old files", async () => {
    // MFMT's test moves old.txt to 2020; put it back, so this test holds in any order.
    const old = new Date("2001-02-03T04:05:06Z");
    await utimes(path.join(t.root, "old.txt"), old, old);
    const c = await client();
    const data = await c.pasv();
    const body = readAll(data);
    expect((await c.send("LIST")).code).toBe(150);
    expect((await c.read()).code).toBe(226);
    const text = (await body).toString("utf8");
    const lines = text.trimEnd().split("\r\n");
    expect(lines.find((l) => l.endsWith(" docs"))).toMatch(/^drwx/);
    expect(lines.find((l) => l.endsWith(" hello.bin"))).toMatch(/^-rw.* 8 \w{3} [ \d]\d \d\d:\d\d hello\.bin$/);
    expect(lines.find((l) => l.endsWith(" naïve café.txt"))).toBeTruthy();
    // Older than six months: month, day and year (ls -l's column, in UTC), no time.
    expect(lines.find((l) => l.endsWith(" old.txt"))).toMatch(/^-rw\S* +\d+ \S+ +\S+ +3 Feb  3  2001 old\.txt$/);
    // Recent: month, day and the UTC time of day of its mtime.
    const mtime = (await stat(path.join(t.root, "hello.bin"))).mtime;
    const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    const two = (n: number) => String(n).padStart(2, "0");
    const recent = `${MONTHS[mtime.getUTCMonth()]} ${String(mtime.getUTCDate()).padStart(2, " ")} ${two(mtime.getUTCHours())}:${two(mtime.getUTCMinutes())}`;
    expect(lines.find((l) => l.endsWith(" hello.bin"))).toContain(` 8 ${recent} hello.bin`);
    c.close();
  });

  it("LIST -la is treated as LIST; NLST gives names; MLSD gives facts", async () => {
    const c = await client();
    let data = await c.pasv();
    let body = readAll(data);
    expect((await c.send("LIST -la docs")).code).toBe(150);
    expect((await c.read()).code).toBe(226);
    expect((await body).toString()).toMatch(/readme\.txt\r\n$/);

    data = await c.epsv();
    body = readAll(data);
    expect((await c.send("NLST")).code).toBe(150);
    expect((await c.read()).code).toBe(226);
    expect((await body).toString().split("\r\n")).toContain("hello.bin");

    data = await c.pasv();
    body = readAll(data);
    expect((await c.send("MLSD")).code).toBe(150);
    expect((await c.read()).code).toBe(226);
    expect((await body).toString()).toMatch(/type=dir;.*; docs\r\n/);
    expect((await c.send("MLSD hello.bin")).code).toBe(501);
    c.close();
  });

  it("RETR in binary and in ASCII (LF → CRLF) mode, and REST resumes", async () => {
    const c = await client();
    expect((await c.send("TYPE I")).code).toBe(200);
    let data = await c.pasv();
    let body = readAll(data);
    expect((await c.send("RETR hello.bin")).code).toBe(150);
    expect((await c.read()).code).toBe(226);
    expect([...(await body)]).toEqual([0, 1, 2, 3, 10, 13, 10, 255]);

    expect((await c.send("TYPE A")).code).toBe(200);
    data = await c.pasv();
    body = readAll(data);
    expect((await c.send("RETR docs/readme.txt")).code).toBe(150);
    expect((await c.read()).code).toBe(226);
    expect((await body).toString()).toBe("line one\r\nline two\r\n");

    expect((await c.send("TYPE I")).code).toBe(200);
    data = await c.pasv();
    body = readAll(data);
    expect((await c.send("REST 5")).code).toBe(350);
    expect((await c.send("RETR docs/readme.txt")).code).toBe(150);
    expect((await c.read()).code).toBe(226);
    expect((await body).toString()).toBe("one\nline two\n");
    c.close();
  });

  it("STOR, APPE, REST+STOR and STOU write what was sent; TYPE A converts CRLF → LF", async () => {
    const c = await client();
    await c.send("TYPE I");
    const put = async (cmd: string, payload: string | Buffer) => {
      const data = await c.pasv();
      const r = await c.send(cmd);
      expect(r.code).toBe(150);
      data.end(payload);
      const done = await c.read();
      expect(done.code).toBe(226);
      return r;
    };
    await put("STOR up.txt", "hello");
    await put("APPE up.txt", " world");
    expect(await readFile(path.join(t.root, "up.txt"), "utf8")).toBe("hello world");
    await c.send("REST 6");
    await put("STOR up.txt", "there");
    expect(await readFile(path.join(t.root, "up.txt"), "utf8")).toBe("hello there");
    await c.send("TYPE A");
    await put("STOR ascii.txt", "a\r\nb\r\n");
    expect(await readFile(path.join(t.root, "ascii.txt"), "utf8")).toBe("a\nb\n");
    await c.send("TYPE I");
    const stou = await put("STOU", "unique");
    const name = /FILE: (\S+)/.exec(stou.text)![1]!;
    expect(await readFile(path.join(t.root, name), "utf8")).toBe("unique");
    c.close();
  });

  it("a data connection without PASV/PORT is 425; a failed RETR keeps the session", async () => {
    const c = await client();
    expect((await c.send("RETR hello.bin")).code).toBe(425);
    expect((await c.send("RETR missing.bin")).code).toBe(550);
    expect((await c.send("NOOP")).code).toBe(200);
    c.close();
  });

  it("active mode: PORT and EPRT to the control peer work", async () => {
    const { createServer } = await import("node:net");
    const c = await client();
    await c.send("TYPE I");
    for (const mode of ["PORT", "EPRT"]) {
      const received = new Promise<Buffer>((resolve) => {
        const srv = createServer((s) => {
          readAll(s).then((b) => {
            srv.close();
            resolve(b);
          });
        });
        srv.listen(0, "127.0.0.1", async () => {
          const port = (srv.address() as { port: number }).port;
          const arg = mode === "PORT" ? `127,0,0,1,${port >> 8},${port & 255}` : `|1|127.0.0.1|${port}|`;
          expect((await c.send(`${mode} ${arg}`)).code).toBe(200);
          expect((await c.send("RETR hello.bin")).code).toBe(150);
        });
      });
      expect((await received).length).toBe(8);
      expect((await c.read()).code).toBe(226);
    }
    c.close();
  });
});

describe("security of paths", () => {
  it("traversal stays inside the root; symlinks out of it are refused", async () => {
    await symlink("/etc", path.join(t.root, "etc-link"));
    const c = await client();
    expect((await c.send("CWD ../../../../etc")).code).toBe(550);
    expect((await c.send("SIZE ../../../../etc/passwd")).code).toBe(550);
    expect((await c.send("SIZE ..\\..\\..\\etc\\passwd")).code).toBe(550);
    expect((await c.send("CWD etc-link")).code).toBe(550);
    expect((await c.send("SIZE etc-link/passwd")).code).toBe(550);
    expect((await c.send("RETR etc-link/passwd")).code).toBe(550);
    c.close();
    await expect(stat(path.join(t.root, "..", "etc"))).rejects.toThrow();
  });
});
