import { copyFile, mkdir, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hashPassword } from "../../core/auth/password.ts";
import { freePort, RUNTIMES, startFtpi, waitForOutput } from "../support/process.ts";
import { authTls, fingerprintOf, retrWith, selfSignedPair } from "../support/tls.ts";

const passiveRange = () => {
  const base = 43000 + Math.floor(Math.random() * 200) * 10;
  return `${base}-${base + 9}`;
};

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
    const [old, renewed] = await Promise.all([selfSignedPair(path.join(dir, "old")), selfSignedPair(path.join(dir, "renewed"))]);
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
      expect(await retrWith(live, live.socket.getSession(), {}, "note.txt")).toMatchObject({ replies: ["150", "226"], reused: true, text: "still protected" });
      live.socket.destroy();
    } finally {
      expect(await ftpi.stop()).toBe(0);
    }
  });
});
