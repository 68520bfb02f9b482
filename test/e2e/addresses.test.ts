import net from "node:net";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Session } from "../../core/session.ts";
import { ControlClient, readAll } from "../support/control.ts";
import { freePort, RUNTIMES, startFtpi } from "../support/process.ts";
import { startServer, type TestServer } from "../support/server.ts";

let t: TestServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const sessionFrom = (remoteAddress: string, localAddress = "192.168.1.20") => ({ remoteAddress, localAddress }) as Session;

describe("the address in PASV replies", () => {
  it("is the local address for LAN and loopback clients, the external one for the internet", async () => {
    t = await startServer({ options: { externalAddress: "203.0.113.7" } });
    expect(await t.server.passiveAddressFor(sessionFrom("192.168.1.50"))).toBe("192.168.1.20");
    expect(await t.server.passiveAddressFor(sessionFrom("::ffff:10.1.2.3", "::ffff:10.0.0.2"))).toBe("10.0.0.2");
    expect(await t.server.passiveAddressFor(sessionFrom("198.51.100.9"))).toBe("203.0.113.7");
  });

  it("resolves a host name at each PASV, so a dynamic-DNS name stays current", async () => {
    t = await startServer({ options: { externalAddress: "localhost" } });
    expect(await t.server.passiveAddressFor(sessionFrom("198.51.100.9"))).toBe("127.0.0.1");
    // An unresolvable name falls back to the local address instead of failing the PASV.
    t.server.options.externalAddress = "no-such-host.invalid";
    expect(await t.server.passiveAddressFor(sessionFrom("198.51.100.9"))).toBe("192.168.1.20");
  });

  it("is what a plugin's resolver picks, when one is set (ddns)", async () => {
    t = await startServer({
      extras: { plugins: [{ name: "pick", setup: (ctx) => ctx.server.setPassiveAddress((client) => (client.startsWith("198.") ? "198.51.100.1" : null)) }] },
    });
    expect(await t.server.passiveAddressFor(sessionFrom("198.51.100.9"))).toBe("198.51.100.1");
    expect(await t.server.passiveAddressFor(sessionFrom("10.0.0.9", "10.0.0.1"))).toBe("10.0.0.1");
  });
});

describe("IPv6 (RFC 2428)", () => {
  it("EPSV and EPRT |2| work over an IPv6 control connection; PASV says to use EPSV", async () => {
    t = await startServer({ options: { listen: [{ host: "::1", port: 0 }] } });
    await writeFile(path.join(t.root, "six.txt"), "over ipv6");
    const c = await ControlClient.connect(t.port, "::1");
    await c.login();
    await c.send("TYPE I");
    expect((await c.send("PASV")).code).toBe(425);
    expect((await c.send("EPSV 1")).code).toBe(522);
    const data = await c.epsv();
    const body = readAll(data);
    expect((await c.send("RETR six.txt")).code).toBe(150);
    expect((await c.read()).code).toBe(226);
    expect((await body).toString()).toBe("over ipv6");

    const received = new Promise<string>((resolve) => {
      const srv = net.createServer((s) => readAll(s).then((b) => (srv.close(), resolve(b.toString()))));
      srv.listen(0, "::1", async () => {
        const port = (srv.address() as net.AddressInfo).port;
        expect((await c.send(`EPRT |2|::1|${port}|`)).code).toBe(200);
        expect((await c.send("RETR six.txt")).code).toBe(150);
      });
    });
    expect(await received).toBe("over ipv6");
    expect((await c.read()).code).toBe(226);
    expect((await c.send("PORT 127,0,0,1,200,1")).code).toBe(522);
    c.close();
  });
});

describe("STAT with a path (RFC 959 §4.1.3)", () => {
  it("lists a folder as 212 and a file as 213 over the control connection", async () => {
    t = await startServer();
    await writeFile(path.join(t.root, "a.txt"), "abc");
    const c = await ControlClient.connect(t.port);
    await c.login();
    const dir = await c.send("STAT /");
    expect(dir.code).toBe(212);
    expect(dir.lines.some((l) => /^-rw.* 3 .* a\.txt$/.test(l))).toBe(true);
    const file = await c.send("STAT a.txt");
    expect(file.code).toBe(213);
    expect(file.lines[1]).toMatch(/a\.txt$/);
    expect((await c.send("STAT missing")).code).toBe(550);
    const server = await c.send("STAT");
    expect(server.code).toBe(211);
    expect(server.text).toContain("Logged in as alice");
    c.close();
  });
});

describe("several listen addresses", () => {
  it("ftpi serve --listen 127.0.0.1:P --listen [::1]:P serves on both at once", { timeout: 30_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "ftpi-listen-"));
    const root = path.join(dir, "share");
    const port = await freePort();
    const pasv = 45000 + Math.floor(Math.random() * 200) * 10;
    const ftpi = await startFtpi(
      [...RUNTIMES.node!, "serve", "--root", root, "--listen", `127.0.0.1:${port}`, "--listen", `[::1]:${port}`, "--passive-ports", `${pasv}-${pasv + 9}`, "--user", "alice:secret", "--web-port", "0", "--data-dir", path.join(dir, "data")],
      { cwd: dir },
    );
    try {
      expect(ftpi.stdout()).toContain(`127.0.0.1:${port}`);
      expect(ftpi.stdout()).toContain(`[::1]:${port}`);
      await writeFile(path.join(root, "both.txt"), "on both addresses");
      // Both sessions at once, each with a transfer over its own family.
      const v4 = await ControlClient.connect(port, "127.0.0.1");
      const v6 = await ControlClient.connect(port, "::1");
      await v4.login();
      await v6.login();
      expect(v4.socket.remoteAddress).toBe("127.0.0.1");
      expect(v6.socket.remoteAddress).toBe("::1");
      for (const [c, data] of [
        [v4, await v4.pasv()],
        [v6, await v6.epsv()],
      ] as const) {
        const body = readAll(data);
        expect((await c.send("RETR both.txt")).code).toBe(150);
        expect((await c.read()).code).toBe(226);
        expect((await body).toString()).toBe("on both addresses");
      }
      expect((await v4.send("QUIT")).code).toBe(221);
      expect((await v6.send("QUIT")).code).toBe(221);
    } finally {
      expect(await ftpi.stop()).toBe(0);
    }
  });
});
