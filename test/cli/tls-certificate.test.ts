import { X509Certificate } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { describe, expect, it } from "vitest";
import { ensureTlsCertificate } from "../../cli/tls-certificate.ts";
import { hashPassword } from "../../core/auth/password.ts";
import type { ServerOptions } from "../../core/config/types.ts";
import { freePort, RUNTIMES, startFtpi, waitForOutput } from "../support/process.ts";

const passiveRange = () => {
  const base = 43000 + Math.floor(Math.random() * 200) * 10;
  return `${base}-${base + 9}`;
};

const fingerprintOf = async (certFile: string) => new X509Certificate(await readFile(certFile)).fingerprint256;

/** A control connection after AUTH TLS: the certificate it was shown, and its replies line by line. */
async function authTls(port: number) {
  const raw = net.connect(port, "127.0.0.1");
  raw.on("error", () => {});
  let buffer = "";
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  const onData = (d: Buffer | string) => {
    buffer += d.toString();
    let i;
    while ((i = buffer.indexOf("\r\n")) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      if (!/^\d{3} /.test(line)) continue;
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  };
  const read = () => (lines.length ? Promise.resolve(lines.shift()!) : new Promise<string>((r) => waiters.push(r)));
  let socket: net.Socket = raw;
  const send = (line: string) => (socket.write(line + "\r\n"), read());
  raw.on("data", onData);
  expect(await read()).toMatch(/^220/);
  expect(await send("AUTH TLS")).toMatch(/^234/);
  raw.off("data", onData);
  const secured = tls.connect({ socket: raw, rejectUnauthorized: false });
  await new Promise((resolve, reject) => {
    secured.once("secureConnect", resolve);
    secured.once("error", reject);
  });
  secured.on("data", onData);
  socket = secured;
  return { socket: secured, fingerprint: secured.getPeerCertificate().fingerprint256, send, read };
}

describe("the self-signed certificate of ftpi serve", () => {
  it("is made on first start in the data folder (key 0600), shown by its fingerprint, and reused after a restart", { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "ftpi-cert-cli-"));
    const dataDir = path.join(dir, "data");
    const port = await freePort();
    const args = [
      ...RUNTIMES.node!,
      "serve",
      "--root", path.join(dir, "share"),
      "--data-dir", dataDir,
      "--listen", `127.0.0.1:${port}`,
      "--passive-ports", passiveRange(),
      "--web-port", "0",
      "--user", "alice:secret",
    ];
    const certFile = path.join(dataDir, "tls", "self-signed.crt");
    const keyFile = path.join(dataDir, "tls", "self-signed.key");

    const first = await startFtpi(args, { cwd: dir });
    let fingerprint: string;
    try {
      fingerprint = await fingerprintOf(certFile);
      expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
      expect((await stat(path.dirname(keyFile))).mode & 0o077).toBe(0);
      expect(first.stdout()).toContain(`SHA-256 ${fingerprint}`);
      expect(first.stdout()).toContain(certFile); // listed as created
      const c = await authTls(port);
      expect(c.fingerprint).toBe(fingerprint);
      c.socket.destroy();
    } finally {
      expect(await first.stop()).toBe(0);
    }
    const pem = await readFile(certFile, "utf8");
    const key = await readFile(keyFile, "utf8");

    const second = await startFtpi(args, { cwd: dir });
    try {
      expect(await readFile(certFile, "utf8")).toBe(pem);
      expect(await readFile(keyFile, "utf8")).toBe(key);
      expect(second.stdout()).toContain(`SHA-256 ${fingerprint}`);
      expect(second.stdout()).not.toContain(certFile); // nothing made this time
      const c = await authTls(port);
      expect(c.fingerprint).toBe(fingerprint);
      c.socket.destroy();
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });
});

describe("SIGHUP and a renewed certificate", () => {
  it("serves the new pair from the same certFile/keyFile to new connections; a live session keeps its TLS session and its data connections", { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "ftpi-renew-cli-"));
    await mkdir(path.join(dir, "share"));
    await writeFile(path.join(dir, "share", "note.txt"), "still protected");
    const pair = async (sub: string) => {
      const made = await ensureTlsCertificate({ dataDir: path.join(dir, sub), tls: { enabled: true, certFile: null, keyFile: null, implicit: [], require: false, requireSessionReuse: true } } as unknown as ServerOptions);
      return { certFile: made.options.tls.certFile!, keyFile: made.options.tls.keyFile! };
    };
    const [old, renewed] = await Promise.all([pair("old"), pair("renewed")]);
    // What certbot does: new files under the names the config gives.
    const certFile = path.join(dir, "cert.pem");
    const keyFile = path.join(dir, "key.pem");
    await copyFile(old.certFile, certFile);
    await copyFile(old.keyFile, keyFile);
    const port = await freePort();
    await writeFile(
      path.join(dir, "ftpi.yaml"),
      `listen: 127.0.0.1:${port}
passivePorts: ${passiveRange()}
anonymous: false
web: { port: 0 }
tls: { enabled: true, certFile: ${JSON.stringify(certFile)}, keyFile: ${JSON.stringify(keyFile)} }
users:
  - name: alice
    password: "${await hashPassword("secret")}"
    home: ./share
    permissions: read,list
`,
    );
    const ftpi = await startFtpi([...RUNTIMES.node!, "serve"], { cwd: dir });
    try {
      const live = await authTls(port);
      expect(live.fingerprint).toBe(await fingerprintOf(old.certFile));
      expect(await live.send("PBSZ 0")).toMatch(/^200/);
      expect(await live.send("PROT P")).toMatch(/^200/);
      expect(await live.send("USER alice")).toMatch(/^331/);
      expect(await live.send("PASS secret")).toMatch(/^230/);

      await copyFile(renewed.certFile, certFile);
      await copyFile(renewed.keyFile, keyFile);
      ftpi.proc.kill("SIGHUP");
      await waitForOutput(ftpi, "TLS certificate reloaded");
      const fresh = await authTls(port);
      expect(fresh.fingerprint).toBe(await fingerprintOf(renewed.certFile));
      expect(fresh.fingerprint).not.toBe(live.fingerprint);
      fresh.socket.destroy();

      // The session from before the reload still resumes its TLS session on a data connection.
      const epsv = await live.send("EPSV");
      const data = tls.connect({ host: "127.0.0.1", port: Number(/\|\|\|(\d+)\|/.exec(epsv)![1]), rejectUnauthorized: false, session: live.socket.getSession() });
      const chunks: Buffer[] = [];
      data.on("data", (d: Buffer) => chunks.push(d));
      const closed = new Promise((r) => data.once("close", r));
      await new Promise((r) => data.once("secureConnect", r));
      expect(data.isSessionReused()).toBe(true);
      expect(await live.send("RETR note.txt")).toMatch(/^150/);
      expect(await live.read()).toMatch(/^226/);
      await closed;
      expect(Buffer.concat(chunks).toString()).toBe("still protected");
      live.socket.destroy();
    } finally {
      expect(await ftpi.stop()).toBe(0);
    }
  });
});
