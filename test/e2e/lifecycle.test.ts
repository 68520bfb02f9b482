import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hashPassword } from "../../core/auth/password.ts";
import { ConfigError } from "../../core/config/problems.ts";
import type { ServerOptions } from "../../core/config/types.ts";
import { ControlClient, readAll } from "../support/control.ts";
import { freePort, RUNTIMES, startFtpi, waitForOutput, type RunningFtpi } from "../support/process.ts";
import { waitFor } from "../support/wait.ts";
import { account, anonymousAccount, startServer } from "../support/server.ts";
import { authTls, fingerprintOf, selfSignedPair } from "../support/tls.ts";

async function setup() {
  const dir = await mkdtemp(path.join(os.tmpdir(), "ftpi-life-"));
  await mkdir(path.join(dir, "share"));
  const port = await freePort();
  const pasv = 46000 + Math.floor(Math.random() * 100) * 10;
  const hash = await hashPassword("secret");
  const config = (users: string) => `listen: 127.0.0.1:${port}
passivePorts: ${pasv}-${pasv + 9}
anonymous: false
web: { port: 0 }
tls: { enabled: false }
users:
${users}`;
  const readOnly = `  - name: alice
    password: "${hash}"
    home: ./share
    permissions: read,list
`;
  const file = path.join(dir, "ftpi.yaml");
  /** Writes `yaml` as ftpi.yaml and starts `ftpi serve` on it. */
  const serve = async (yaml: string): Promise<RunningFtpi> => {
    await writeFile(file, yaml);
    return startFtpi([...RUNTIMES.node!, "serve"], { cwd: dir });
  };
  /** Writes `yaml` over ftpi.yaml, sends SIGHUP, and waits until the server `says` so. */
  const reload = async (ftpi: RunningFtpi, yaml: string, says: string): Promise<void> => {
    await writeFile(file, yaml);
    ftpi.proc.kill("SIGHUP");
    await waitForOutput(ftpi, says);
  };
  return { dir, port, hash, config, readOnly, serve, reload };
}

/** A self-signed pair made in `dir`, and the fingerprint clients see. */
async function certificate(dir: string): Promise<{ certFile: string; keyFile: string; fingerprint: string }> {
  const pair = await selfSignedPair(dir);
  return { ...pair, fingerprint: await fingerprintOf(pair.certFile) };
}

/** Bytes a data socket delivers until it closes, however it closes (end, reset or destroy). */
function countUntilClosed(s: net.Socket): { bytes: () => number; closed: Promise<number> } {
  let n = 0;
  s.on("data", (c: Buffer) => (n += c.length));
  s.on("error", () => {});
  return { bytes: () => n, closed: new Promise((resolve) => s.once("close", () => resolve(n))) };
}

/** Replies on a control connection until the server closes it. */
async function repliesUntilClosed(c: ControlClient, ms = 10_000): Promise<number[]> {
  const codes: number[] = [];
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      codes.push((await c.read(200)).code);
    } catch {
      if (c.closed) return codes;
    }
  }
  throw new Error(`control connection still open after ${ms} ms; replies: ${codes.join(", ")}`);
}

describe("SIGHUP reloads the configuration", () => {
  it("applies new rights and users to a running server without dropping sessions; a bad file is refused", { timeout: 60_000 }, async () => {
    const { port, hash, config, readOnly, serve, reload } = await setup();
    const ftpi = await serve(config(readOnly));
    try {
      const c = await ControlClient.connect(port);
      await c.login();
      expect((await c.send("MKD before")).code).toBe(550);

      const writable = readOnly.replace("permissions: read,list", "permissions: all");
      const bob = `  - name: bob\n    password: "${hash}"\n    home: ./share\n`;
      await reload(ftpi, config(writable + bob), "configuration reloaded");
      expect((await c.send("MKD after")).code).toBe(257);
      const b = await ControlClient.connect(port);
      await b.login("bob", "secret");
      b.close();

      await reload(ftpi, config(writable + bob) + "limits: { maxClients: lots }\nbanner: [unclosed\n", "new configuration is refused");
      expect(ftpi.output()).toMatch(/ftpi\.yaml:\d+:\d+: /);
      expect((await c.send("NOOP")).code).toBe(200);
      const b2 = await ControlClient.connect(port);
      await b2.login("bob", "secret");
      b2.close();
      c.close();
    } finally {
      await ftpi.stop();
    }
  });

  it("applies changed limits (maxSessionsPerIp, maxDownloadRate) without dropping sessions", { timeout: 60_000 }, async () => {
    const { dir, port, config, readOnly, serve, reload } = await setup();
    const size = 256 * 1024;
    const payload = Buffer.alloc(size, 7);
    await writeFile(path.join(dir, "share", "file.bin"), payload);
    const ftpi = await serve(config(readOnly));
    const download = async (c: ControlClient) => {
      const started = Date.now();
      const data = await c.pasv();
      const body = readAll(data);
      expect((await c.send("RETR file.bin")).code).toBe(150);
      expect((await body).equals(payload)).toBe(true);
      expect((await c.read()).code).toBe(226);
      return Date.now() - started;
    };
    try {
      const c = await ControlClient.connect(port);
      await c.login();
      await c.send("TYPE I");
      const second = await ControlClient.connect(port);
      await second.login();
      expect(await download(c)).toBeLessThan(1000);

      await reload(ftpi, config(readOnly) + "limits: { maxSessionsPerIp: 1, maxDownloadRate: 128K }\n", "configuration reloaded");
      expect(ftpi.output()).not.toContain("restart ftpi to apply");
      // Both sessions stay, though two is now over the limit; a third from here is refused.
      expect((await c.send("NOOP")).code).toBe(200);
      expect((await second.send("NOOP")).code).toBe(200);
      const third = await ControlClient.connect(port);
      const refused = await third.read();
      expect(refused.code).toBe(421);
      expect(refused.text).toContain("Too many connections from your address");
      // 256 KiB at 128 KiB/s: about 2 s, less the bucket's 100 ms head start.
      expect(await download(c)).toBeGreaterThanOrEqual(1700);
      second.close();
      c.close();
    } finally {
      await ftpi.stop();
    }
  });

  it("applies new tls.certFile/keyFile paths to new connections; live TLS sessions stay; a path that does not load keeps the old pair", { timeout: 60_000 }, async () => {
    const { dir, port, config, readOnly, serve, reload } = await setup();
    const first = await certificate(path.join(dir, "a"));
    const second = await certificate(path.join(dir, "b"));
    const withTls = (pair: { certFile: string; keyFile: string }) =>
      config(readOnly).replace("tls: { enabled: false }", `tls: { enabled: true, certFile: ${JSON.stringify(pair.certFile)}, keyFile: ${JSON.stringify(pair.keyFile)} }`);
    const ftpi = await serve(withTls(first));
    try {
      const old = await authTls(port);
      expect(old.fingerprint).toBe(first.fingerprint);
      expect(await old.send("USER alice")).toMatch(/^331/);
      expect(await old.send("PASS secret")).toMatch(/^230/);

      await reload(ftpi, withTls(second), "TLS certificate reloaded");
      expect(ftpi.output()).not.toContain("restart ftpi to apply");
      const renewed = await authTls(port);
      expect(renewed.fingerprint).toBe(second.fingerprint);
      renewed.socket.destroy();
      expect(await old.send("NOOP")).toMatch(/^200/);

      await reload(ftpi, withTls({ certFile: path.join(dir, "missing.crt"), keyFile: path.join(dir, "missing.key") }), "TLS reload failed, keeping the old certificate");
      expect(ftpi.output()).toContain("missing.crt");
      const kept = await authTls(port);
      expect(kept.fingerprint).toBe(second.fingerprint);
      kept.socket.destroy();
      expect(await old.send("NOOP")).toMatch(/^200/);
      old.socket.destroy();
    } finally {
      await ftpi.stop();
    }
  });
});

describe("SIGTERM", () => {
  it("stops accepting, lets a running transfer finish, then exits 0", { timeout: 60_000 }, async () => {
    const { dir, port, config, readOnly, serve } = await setup();
    const size = 48 * 1024 * 1024;
    await writeFile(path.join(dir, "share", "big.bin"), Buffer.alloc(size, 1));
    const ftpi = await serve(config(readOnly));
    const c = await ControlClient.connect(port);
    await c.login();
    await c.send("TYPE I");
    const data = await c.pasv();
    data.pause();
    expect((await c.send("RETR big.bin")).code).toBe(150);
    const idle = await ControlClient.connect(port);
    await idle.login();

    const exited = ftpi.stop("SIGTERM");
    await waitForOutput(ftpi, "SIGTERM: closing");
    expect((await idle.read()).code).toBe(421);
    await expect(ControlClient.connect(port)).rejects.toThrow();

    const body = readAll(data);
    data.resume();
    expect((await body).length).toBe(size);
    expect((await c.read()).code).toBe(226);
    expect((await c.read()).code).toBe(421);
    expect(await exited).toBe(0);
  });

  it("cuts a transfer still running when limits.shutdownGrace runs out, and exits 0 soon after", { timeout: 60_000 }, async () => {
    const { dir, port, config, readOnly, serve } = await setup();
    const graceMs = 1500;
    // 64 KiB/s: 2 MiB would take half a minute.
    const slow = readOnly + "    maxDownloadRate: 64K\n";
    const size = 2 * 1024 * 1024;
    await writeFile(path.join(dir, "share", "big.bin"), Buffer.alloc(size, 1));
    const ftpi = await serve(config(slow) + `limits: { shutdownGrace: ${graceMs / 1000} }\n`);
    const c = await ControlClient.connect(port);
    await c.login();
    await c.send("TYPE I");
    const data = countUntilClosed(await c.pasv());
    expect((await c.send("RETR big.bin")).code).toBe(150);
    await waitFor(() => data.bytes() > 0, "the first bytes", 10_000);

    const signalled = Date.now();
    const exited = ftpi.stop("SIGTERM");
    await waitForOutput(ftpi, "SIGTERM: closing");
    expect(ftpi.output()).toContain(`running transfers get ${graceMs / 1000} s to finish`);
    const atSignal = data.bytes();
    const received = await data.closed;
    const cutAfter = Date.now() - signalled;
    // The transfer ran on through the grace period, then was cut short.
    expect(cutAfter).toBeGreaterThanOrEqual(graceMs - 200);
    expect(received).toBeGreaterThan(atSignal);
    expect(received).toBeLessThan(size);
    // The client is told (426 for the transfer and/or 421) or sees the control connection close.
    const codes = await repliesUntilClosed(c);
    for (const code of codes) expect([421, 426]).toContain(code);
    expect(codes).not.toContain(226);
    expect(await exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(graceMs + 3000);
  });
});

describe("TLS setup", () => {
  it("createServer with TLS on but no certificate files refuses to listen instead of quietly serving without FTPS", { timeout: 30_000 }, async () => {
    const error = await startServer({ options: { tls: { enabled: true, certFile: null, keyFile: null, implicit: [], require: false, requireSessionReuse: true } } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([{ path: "tls", message: expect.stringMatching(/tls\.certFile and tls\.keyFile are not both set.*tls\.enabled: false/) }]);
  });

  it("tls.require leaves anonymous login and clear data to anonymous; anonymous.requireTls refuses it in the clear", { timeout: 30_000 }, async () => {
    const pair = await certificate(await mkdtemp(path.join(os.tmpdir(), "ftpi-anon-tls-")));
    const t = await startServer({
      options: { tls: { enabled: true, certFile: pair.certFile, keyFile: pair.keyFile, implicit: [], require: true, requireSessionReuse: true } },
      accounts: async (root) => [await account("alice", root), anonymousAccount(root)],
    });
    await writeFile(path.join(t.root, "readme.txt"), "hello");
    try {
      const named = await ControlClient.connect(t.port);
      await named.read();
      expect((await named.send("USER alice")).code).toBe(534);
      named.close();

      const anon = await ControlClient.connect(t.port);
      await anon.login("anonymous", "guest@example.org");
      const data = await anon.pasv();
      const body = readAll(data);
      expect((await anon.send("RETR readme.txt")).code).toBe(150);
      expect((await body).toString()).toBe("hello");
      expect((await anon.read()).code).toBe(226);
      anon.close();

      const strict: ServerOptions = { ...t.server.options, accounts: [await account("alice", t.root), anonymousAccount(t.root, { requireTls: true })] };
      expect(t.server.reload(strict)).toEqual([]);
      for (const name of ["anonymous", "ftp"]) {
        const c = await ControlClient.connect(t.port);
        await c.read();
        expect((await c.send(`USER ${name}`)).code).toBe(534);
        c.close();
      }
      const secured = await authTls(t.port);
      expect(await secured.send("USER anonymous")).toMatch(/^331/);
      expect(await secured.send("PASS guest@example.org")).toMatch(/^230/);
      secured.socket.destroy();
    } finally {
      await t.close();
    }
  });
});
