import { execFile } from "node:child_process";
import { constants, createHash, randomBytes } from "node:crypto";
import { copyFile, mkdtemp, readFile, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { promisify } from "node:util";
import { Readable, Writable } from "node:stream";
import { Client } from "basic-ftp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TlsOptions } from "../../core/config/types.ts";
import { account, startServer, type TestServer } from "../support/server.ts";
import { epsvPort, retrWith, selfSignedPair, TlsControl } from "../support/tls.ts";

const run = promisify(execFile);
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

let certFile: string;
let keyFile: string;

beforeAll(async () => {
  ({ certFile, keyFile } = await selfSignedPair(await mkdtemp(path.join(os.tmpdir(), "ftpi-cert-"))));
}, 60_000);

async function tlsServer(tlsOptions: Partial<TlsOptions> = {}, extraAccounts = false): Promise<TestServer> {
  return startServer({
    options: { tls: { enabled: true, certFile, keyFile, implicit: [{ host: "127.0.0.1", port: 0 }], require: false, requireSessionReuse: true, ...tlsOptions } },
    accounts: async (root) => [await account("alice", root), ...(extraAccounts ? [await account("carol", root, { requireTls: true })] : [])],
  });
}

describe("explicit FTPS by hand (RFC 4217)", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await tlsServer();
    await writeFile(path.join(t.root, "secret.txt"), "for your eyes only");
  });
  afterAll(() => t.close());

  it("AUTH TLS, PBSZ 0, PROT P, then a protected data connection that resumes the control session", async () => {
    const raw = net.connect(t.port, "127.0.0.1");
    const c = new TlsControl(raw);
    expect(await c.read()).toMatch(/^220/);
    expect(await c.send("PBSZ 0")).toMatch(/^503/);
    expect(await c.send("PROT P")).toMatch(/^503/);
    expect(await c.send("AUTH KERBEROS")).toMatch(/^504/);
    let feat = "";
    raw.on("data", (d) => (feat += d));
    expect(await c.send("FEAT")).toBe("211 End");
    expect(feat).toContain(" AUTH TLS\r\n");
    expect(feat).toContain(" PROT\r\n");
    expect(await c.send("AUTH TLS")).toMatch(/^234/);
    const control = await c.startTls();
    // RFC 4217 §9 wants PBSZ first; a PROT without it counts as PBSZ 0, as in vsftpd.
    expect(await c.send("PROT C")).toMatch(/^200/);
    expect(await c.send("PBSZ 0")).toBe("200 PBSZ=0");
    expect(await c.send("PROT X")).toMatch(/^504/);
    expect(await c.send("PROT S")).toMatch(/^536/);
    expect(await c.send("PROT P")).toMatch(/^200/);
    expect(await c.send("USER alice")).toMatch(/^331/);
    expect(await c.send("PASS secret")).toMatch(/^230/);
    expect(await c.send("CCC")).toMatch(/^534/);
    expect(await retrWith(c, control.getSession(), {}, "secret.txt")).toMatchObject({ replies: ["150", "226"], reused: true, text: "for your eyes only" });
    control.destroy();
  });

  it("refuses a protected data connection that does not resume the session (522), when reuse is required", async () => {
    const c = new TlsControl(net.connect(t.port, "127.0.0.1"));
    await c.read();
    await c.send("AUTH TLS");
    await c.startTls();
    await c.send("PBSZ 0");
    await c.send("PROT P");
    await c.send("USER alice");
    await c.send("PASS secret");
    const port = epsvPort(await c.send("EPSV"));
    const data = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false });
    data.on("error", () => {});
    expect(await c.send("RETR secret.txt")).toMatch(/^150/);
    expect(await c.read()).toMatch(/^522/);
    expect(await c.send("NOOP")).toMatch(/^200/);
    c.socket.destroy();
  });

  /** A control connection, secured (AUTH TLS, PBSZ 0, PROT P) and logged in as alice. */
  async function protectedLogin(how: tls.ConnectionOptions): Promise<{ c: TlsControl; control: tls.TLSSocket }> {
    const c = new TlsControl(net.connect(t.port, "127.0.0.1"));
    expect(await c.read()).toMatch(/^220/);
    expect(await c.send("AUTH TLS")).toMatch(/^234/);
    const control = await c.startTls(how);
    expect(control.getProtocol()).toBe(how.maxVersion);
    expect(await c.send("PBSZ 0")).toMatch(/^200/);
    expect(await c.send("PROT P")).toMatch(/^200/);
    expect(await c.send("USER alice")).toMatch(/^331/);
    expect(await c.send("PASS secret")).toMatch(/^230/);
    return { c, control };
  }

  const tls13: tls.ConnectionOptions = { minVersion: "TLSv1.3", maxVersion: "TLSv1.3" };
  const tls12: tls.ConnectionOptions = { minVersion: "TLSv1.2", maxVersion: "TLSv1.2" };
  const flavours: [string, tls.ConnectionOptions][] = [
    ["TLS 1.3", tls13],
    ["TLS 1.2, session tickets", tls12],
    // What curl does: it turns tickets off, and resumes by session id from the server's cache.
    ["TLS 1.2, session ids", { ...tls12, secureOptions: constants.SSL_OP_NO_TICKET }],
  ];
  for (const [flavour, version] of flavours) {
    it(`a data connection must resume this control connection's TLS session, not another's from the same address (${flavour})`, async () => {
      const a = await protectedLogin(version);
      const b = await protectedLogin(version);
      const ok = { replies: ["150", "226"], reused: true, text: "for your eyes only" };
      const refused = { replies: ["150", "522"], reused: false, text: "" };
      try {
        // A's own session resumes on A's data connection, B's on B's.
        expect(await retrWith(a.c, a.control.getSession(), version, "secret.txt")).toMatchObject(ok);
        expect(await retrWith(b.c, b.control.getSession(), version, "secret.txt")).toMatchObject(ok);
        // B's session on A's data port (another client behind the same NAT that got there
        // first): a valid session of this server, but not A's, so a full handshake and 522.
        const intrusion = await retrWith(a.c, b.control.getSession(), version, "secret.txt");
        expect(intrusion).toMatchObject(refused);
        // That full handshake may have handed the intruder a ticket in A's keys (TLS 1.2 sends
        // it within the handshake; TLS 1.3 after it, which the server cuts short here): A's
        // tickets are void from then on, the intruder's and A's own (A has to reconnect).
        if (version.maxVersion === "TLSv1.2") expect(intrusion.ticket).toBeDefined();
        if (intrusion.ticket) expect(await retrWith(a.c, intrusion.ticket, version, "secret.txt")).toMatchObject(refused);
        expect(await retrWith(a.c, a.control.getSession(), version, "secret.txt")).toMatchObject(refused);
        // B goes on.
        expect(await retrWith(b.c, b.control.getSession(), version, "secret.txt")).toMatchObject(ok);
        expect(await a.c.send("NOOP")).toMatch(/^200/);
        expect(t.logs.some((l) => l.includes("did not resume this session's TLS session"))).toBe(true);
      } finally {
        a.control.destroy();
        b.control.destroy();
      }
    });
  }

  it("PROT C after PROT P: a clear data connection under a TLS control connection", async () => {
    const { c, control } = await protectedLogin(tls13);
    try {
      expect(await c.send("PROT C")).toMatch(/^200/);
      const port = epsvPort(await c.send("EPSV"));
      const data = net.connect(port, "127.0.0.1");
      const chunks: Buffer[] = [];
      data.on("data", (d) => chunks.push(d));
      const ended = new Promise((r) => data.on("end", r));
      await new Promise((r) => data.once("connect", r));
      expect(await c.send("RETR secret.txt")).toMatch(/^150/);
      expect(await c.read()).toMatch(/^226/);
      await ended;
      expect(Buffer.concat(chunks).toString()).toBe("for your eyes only");
      // And back to PROT P: protected again, resuming the control session.
      expect(await c.send("PROT P")).toMatch(/^200/);
      expect(await retrWith(c, control.getSession(), tls13, "secret.txt")).toMatchObject({ replies: ["150", "226"], reused: true, text: "for your eyes only" });
    } finally {
      control.destroy();
    }
  });

  it("Python ftplib.FTP_TLS.prot_c() alone (PROT C without PBSZ) then a clear download", async () => {
    const script = `
import ftplib, ssl, io
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
f = ftplib.FTP_TLS(context=ctx)
f.connect("127.0.0.1", ${t.port}, timeout=20)
f.login("alice", "secret")
print(f.prot_c())
buf = io.BytesIO(); f.retrbinary("RETR secret.txt", buf.write)
print(buf.getvalue().decode()); f.quit()
`;
    const { stdout } = await run("python3", ["-c", script], { timeout: 30_000 });
    expect(stdout.trim().split("\n")).toEqual(["200 Data connections will be clear (PROT C).", "for your eyes only"]);
  });
});

for (const version of ["TLSv1.3", "TLSv1.2"] as const) {
  const v12 = version === "TLSv1.2";
  // Each client held to the version: the session tickets resumed on data connections differ
  // (TLS 1.2 sends them within the handshake, TLS 1.3 after it).
  const curlVersion = v12 ? ["--tls-max", "1.2"] : ["--tlsv1.3"];
  const lftpVersion = v12 ? ['set ssl:priority "NORMAL:-VERS-TLS1.3"'] : ['set ssl:priority "NORMAL:-VERS-ALL:+VERS-TLS1.3"'];
  const pythonVersion = v12 ? "TLSv1_2" : "TLSv1_3";

  describe(`FTPS with real clients (${version})`, () => {
    let t: TestServer;
    let payload: Buffer;
    beforeAll(async () => {
      t = await tlsServer();
      payload = randomBytes(2 * 1024 * 1024 + 3);
      await writeFile(path.join(t.root, "payload.bin"), payload);
    });
    afterAll(() => t.close());
    const implicitPort = () => t.server.addresses()[1]!.port;

    for (const mode of ["passive", "active"] as const) {
      // Debian 12's curl 7.88.1 cannot do active-mode FTPS against any server (curl issue #10666,
      // fixed in 8.x): it accepts the data connection and never starts TLS. lftp and ftplib cover
      // active FTPS below.
      if (mode === "passive") it(`curl --ftp-ssl-reqd downloads and uploads (${mode})`, async () => {
        const out = path.join(t.root, `..`, `curl-${mode}.bin`);
        const { stderr } = await run("curl", ["-sS", "-v", "--ftp-ssl-reqd", "-k", ...curlVersion, "-u", "alice:secret", "-o", out, `ftp://127.0.0.1:${t.port}/payload.bin`], { timeout: 30_000 });
        expect(stderr).toContain(`SSL connection using ${version}`);
        expect(stderr).toMatch(/SSL re-using session ID/);
        expect(sha(await readFile(out))).toBe(sha(payload));
        await run("curl", ["-sS", "--ftp-ssl-reqd", "-k", ...curlVersion, "-u", "alice:secret", "-T", out, `ftp://127.0.0.1:${t.port}/up-curl-${mode}.bin`], { timeout: 30_000 });
        expect(sha(await readFile(path.join(t.root, `up-curl-${mode}.bin`)))).toBe(sha(payload));
      });

      it(`lftp with ftp:ssl-force downloads and uploads (${mode})`, async () => {
        const local = path.join(t.root, "..", `lftp-${mode}.bin`);
        const script = [
          "set ssl:verify-certificate no",
          ...lftpVersion,
          "set ftp:ssl-force true",
          "set ftp:ssl-protect-data true",
          `set ftp:passive-mode ${mode === "passive" ? "on" : "off"}`,
          `get payload.bin -o ${local}`,
          `put ${local} -o up-lftp-${mode}.bin`,
          "bye",
        ].join("; ");
        await run("lftp", ["-u", "alice,secret", "-p", String(t.port), "-e", script, "127.0.0.1"], { timeout: 30_000 });
        expect(sha(await readFile(local))).toBe(sha(payload));
        expect(sha(await readFile(path.join(t.root, `up-lftp-${mode}.bin`)))).toBe(sha(payload));
      });

      it(`Python ftplib.FTP_TLS with session reuse downloads and uploads (${mode})`, async () => {
        const script = `
import ftplib, ssl, hashlib, io, sys
class ReusingFTP_TLS(ftplib.FTP_TLS):
    # ftplib does not resume the control session on data connections; servers that require
    # it (vsftpd, ftpi) need this well-known override.
    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session)
        return conn, size
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.${pythonVersion}
f = ReusingFTP_TLS(context=ctx)
f.connect("127.0.0.1", ${t.port}, timeout=20)
f.login("alice", "secret"); f.prot_p(); f.set_pasv(${mode === "passive" ? "True" : "False"})
buf = io.BytesIO(); f.retrbinary("RETR payload.bin", buf.write)
f.storbinary("STOR up-py-${mode}.bin", io.BytesIO(buf.getvalue()))
print(f.sock.version()); print(hashlib.sha256(buf.getvalue()).hexdigest()); f.quit()
`;
        const { stdout } = await run("python3", ["-c", script], { timeout: 30_000 });
        expect(stdout.trim().split("\n")).toEqual([version, sha(payload)]);
        expect(sha(await readFile(path.join(t.root, `up-py-${mode}.bin`)))).toBe(sha(payload));
      });
    }

    it("basic-ftp over explicit TLS (passive)", async () => {
      const client = new Client(20_000);
      await client.access({ host: "127.0.0.1", port: t.port, user: "alice", password: "secret", secure: true, secureOptions: { rejectUnauthorized: false, minVersion: version, maxVersion: version } });
      expect((client.ftp.socket as tls.TLSSocket).getProtocol()).toBe(version);
      await client.uploadFrom(Readable.from([payload]), "up-basic.bin");
      const chunks: Buffer[] = [];
      await client.downloadTo(new Writable({ write: (c, _e, cb) => (chunks.push(c), cb()) }), "up-basic.bin");
      expect(sha(Buffer.concat(chunks))).toBe(sha(payload));
      client.close();
    });

    it("implicit FTPS on its own port (curl ftps://)", async () => {
      const out = path.join(t.root, "..", "implicit.bin");
      await run("curl", ["-sS", "-k", ...curlVersion, "-u", "alice:secret", "-o", out, `ftps://127.0.0.1:${implicitPort()}/payload.bin`], { timeout: 30_000 });
      expect(sha(await readFile(out))).toBe(sha(payload));
    });
  });
}

describe("TLS policy", () => {
  it("a user with requireTls cannot log in in the clear (534), nor use PROT C", async () => {
    const t = await tlsServer({}, true);
    try {
      const plain = new TlsControl(net.connect(t.port, "127.0.0.1"));
      await plain.read();
      expect(await plain.send("USER carol")).toMatch(/^534/);
      expect(await plain.send("USER alice")).toMatch(/^331/);
      plain.socket.destroy();
      const c = new TlsControl(net.connect(t.port, "127.0.0.1"));
      await c.read();
      await c.send("AUTH TLS");
      await c.startTls();
      expect(await c.send("USER carol")).toMatch(/^331/);
      expect(await c.send("PASS secret")).toMatch(/^230/);
      expect(await c.send("PBSZ 0")).toMatch(/^200/);
      expect(await c.send("PROT C")).toMatch(/^534/);
      await c.send("EPSV");
      expect(await c.send("LIST")).toMatch(/^521/);
      c.socket.destroy();
    } finally {
      await t.close();
    }
  });

  it("tls.require refuses every clear login; without requireSessionReuse a fresh data session is accepted", async () => {
    const t = await tlsServer({ require: true, requireSessionReuse: false });
    await writeFile(path.join(t.root, "x.txt"), "fresh session");
    try {
      const plain = new TlsControl(net.connect(t.port, "127.0.0.1"));
      await plain.read();
      expect(await plain.send("USER alice")).toMatch(/^534/);
      // Unknown names get the same answer, so the policy reveals no user names.
      expect(await plain.send("USER nobody")).toMatch(/^534/);
      plain.socket.destroy();
      const c = new TlsControl(net.connect(t.port, "127.0.0.1"));
      await c.read();
      await c.send("AUTH TLS");
      await c.startTls();
      await c.send("USER alice");
      expect(await c.send("PASS secret")).toMatch(/^230/);
      await c.send("PBSZ 0");
      await c.send("PROT P");
      const port = epsvPort(await c.send("EPSV"));
      const data = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false });
      const chunks: Buffer[] = [];
      data.on("data", (d) => chunks.push(d));
      const ended = new Promise((r) => data.on("end", r));
      const reused = new Promise((r) => data.once("secureConnect", () => r(data.isSessionReused())));
      expect(await c.send("RETR x.txt")).toMatch(/^150/);
      expect(await c.read()).toMatch(/^226/);
      await ended;
      expect(await reused).toBe(false);
      expect(Buffer.concat(chunks).toString()).toBe("fresh session");
      c.socket.destroy();
    } finally {
      await t.close();
    }
  });

  it("reloadTls (SIGHUP) serves a renewed certificate to new connections; a broken one keeps the old", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "ftpi-renew-"));
    const cert = path.join(dir, "c.pem");
    const key = path.join(dir, "k.pem");
    await copyFile(certFile, cert);
    await copyFile(keyFile, key);
    const t = await tlsServer({ certFile: cert, keyFile: key });
    const fingerprint = async () => {
      const s = tls.connect({ host: "127.0.0.1", port: t.server.addresses()[1]!.port, rejectUnauthorized: false });
      await new Promise((r) => s.once("secureConnect", r));
      const f = s.getPeerCertificate().fingerprint256;
      s.destroy();
      return f;
    };
    try {
      const before = await fingerprint();
      const other = await selfSignedPair(dir);
      await copyFile(other.certFile, cert);
      await copyFile(other.keyFile, key);
      await t.server.reloadTls();
      const after = await fingerprint();
      expect(after).not.toBe(before);
      await writeFile(key, "not a key");
      await t.server.reloadTls();
      expect(await fingerprint()).toBe(after);
      expect(t.logs.some((l) => l.includes("TLS reload failed"))).toBe(true);
    } finally {
      await t.close();
    }
  });
});
