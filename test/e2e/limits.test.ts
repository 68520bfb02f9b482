import net from "node:net";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Account } from "../../core/auth/types.ts";
import type { Limits, ServerOptions } from "../../core/config/types.ts";
import { ControlClient, connectData, readAll } from "../support/control.ts";
import { account, startServer, type TestServer } from "../support/server.ts";
import { sleep, waitFor } from "../support/wait.ts";

const DEFAULT_LIMITS: Limits = {
  maxClients: 50,
  maxSessionsPerIp: 20,
  maxSessionsPerUser: 0,
  loginTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  maxLoginFailures: 3,
  passiveTimeoutMs: 10_000, dataTimeoutMs: 300_000,
  maxUploadRate: 0,
  maxDownloadRate: 0,
  maxHashSize: 4 * 1024 ** 3,
};

// Servers and clients of the running test, torn down after it whatever happened.
let servers: TestServer[] = [];
let clients: ControlClient[] = [];

afterEach(async () => {
  for (const c of clients) c.close();
  clients = [];
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(limits: Partial<Limits> = {}, options: Partial<ServerOptions> = {}, accounts?: (root: string) => Promise<Account[]>): Promise<TestServer> {
  const t = await startServer({ options: { limits: { ...DEFAULT_LIMITS, ...limits }, ...options }, ...(accounts ? { accounts } : {}) });
  servers.push(t);
  return t;
}

async function connect(t: TestServer, localAddress?: string, host = "127.0.0.1"): Promise<ControlClient> {
  const c = await ControlClient.connect(t.port, host, localAddress);
  clients.push(c);
  return c;
}

/** A connection the server accepted: it was greeted with 220. */
async function greeted(t: TestServer, localAddress?: string): Promise<ControlClient> {
  const c = await connect(t, localAddress);
  expect((await c.read()).code).toBe(220);
  return c;
}

async function loggedIn(t: TestServer, user = "alice"): Promise<ControlClient> {
  const c = await connect(t);
  await c.login(user);
  return c;
}

/** The server answers 421 and then closes the control connection. */
async function expectRefused(c: ControlClient, r?: { code: number }): Promise<void> {
  expect((r ?? (await c.read())).code).toBe(421);
  await waitFor(() => c.closed, "the server to close the control connection");
}

describe("connection limits", () => {
  it("maxClients: the connection over the limit gets 421 and is closed; a freed slot is reused", async () => {
    const t = await serve({ maxClients: 3 });
    const first = await greeted(t);
    await greeted(t);
    await greeted(t);
    await expectRefused(await connect(t));
    first.close();
    await waitFor(() => t.server.sessions.size === 2, "the server to notice the disconnect");
    const again = await greeted(t);
    expect((await again.send("NOOP")).code).toBe(200);
  });

  it("maxSessionsPerIp: a third connection from 127.0.0.1 is refused, one from 127.0.0.2 is not", async () => {
    const t = await serve({ maxSessionsPerIp: 2 });
    const first = await greeted(t);
    await greeted(t);
    await expectRefused(await connect(t));
    const other = await greeted(t, "127.0.0.2");
    expect((await other.send("NOOP")).code).toBe(200);
    first.close();
    await waitFor(() => t.server.sessions.size === 2, "the server to notice the disconnect");
    await greeted(t);
  });

  it("maxSessionsPerUser: the account's maxSessions refuses the extra login with 421 and closes", async () => {
    const t = await serve({}, {}, async (root) => [await account("alice", root, { maxSessions: 1 })]);
    const first = await loggedIn(t);
    const second = await greeted(t);
    expect((await second.send("USER alice")).code).toBe(331);
    await expectRefused(second, await second.send("PASS secret"));
    expect((await first.send("NOOP")).code).toBe(200);
    first.close();
    await waitFor(() => t.server.sessions.size === 0, "the server to notice the disconnect");
    await loggedIn(t);
  });

  it("maxSessionsPerUser: the limits default applies to accounts without maxSessions, and an account's own value wins", async () => {
    const t = await serve({ maxSessionsPerUser: 2 }, {}, async (root) => [await account("alice", root), await account("bob", root, { maxSessions: 3 })]);
    await loggedIn(t, "alice");
    await loggedIn(t, "alice");
    const third = await greeted(t);
    await third.send("USER alice");
    await expectRefused(third, await third.send("PASS secret"));
    for (let i = 0; i < 3; i++) await loggedIn(t, "bob");
    const fourth = await greeted(t);
    await fourth.send("USER bob");
    await expectRefused(fourth, await fourth.send("PASS secret"));
  });

  it("maxLoginFailures: the connection is closed after N wrong passwords, not before", async () => {
    const t = await serve({ maxLoginFailures: 2 });
    const c = await greeted(t);
    await c.send("USER alice");
    expect((await c.send("PASS wrong")).code).toBe(530);
    await sleep(100);
    expect(c.closed).toBe(false);
    await c.send("USER alice");
    expect((await c.send("PASS wrong")).code).toBe(530);
    await waitFor(() => c.closed, "the server to close after the second failure");
  });
});

describe("timeouts", () => {
  it("login timeout: an idle unauthenticated connection gets 421, then is closed", async () => {
    const t = await serve({ loginTimeoutMs: 500, idleTimeoutMs: 60_000 });
    const started = Date.now();
    const c = await greeted(t);
    const r = await c.read(5000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    await expectRefused(c, r);
  });

  it("idle timeout: a logged-in session that sends nothing gets 421, then is closed", async () => {
    const t = await serve({ loginTimeoutMs: 30_000, idleTimeoutMs: 800 });
    const c = await greeted(t);
    await c.send("USER alice");
    // The server's clock starts when PASS arrives, before the password check is done.
    const quietSince = Date.now();
    expect((await c.send("PASS secret")).code).toBe(230);
    const r = await c.read(5000);
    expect(Date.now() - quietSince).toBeGreaterThanOrEqual(800);
    expect(r.text).toMatch(/idle/i);
    await expectRefused(c, r);
  });

  it("idle timeout: a session in a long transfer is not dropped", async () => {
    const t = await serve({ idleTimeoutMs: 1500 });
    const size = 32 * 1024 * 1024;
    await writeFile(path.join(t.root, "big.bin"), Buffer.alloc(size, 1));
    const c = await loggedIn(t);
    await c.send("TYPE I");
    const data = await c.pasv();
    data.pause(); // a slow client: the transfer outlives the idle timeout several times
    expect((await c.send("RETR big.bin")).code).toBe(150);
    await sleep(4000);
    expect(c.closed).toBe(false);
    const body = readAll(data);
    data.resume();
    expect((await c.read()).code).toBe(226);
    // The idle clock restarts at the 226: answer at once, before counting the bytes.
    expect((await c.send("NOOP")).code).toBe(200);
    expect((await body).length).toBe(size);
  });
});

describe("banner and goodbye", () => {
  it("sends a multi-line banner as an RFC 959 §4.2 multi-line 220, and the goodbye in the 221", async () => {
    const t = await serve({}, { banner: "first\nsecond line\n220 looks like an end\nlast", goodbye: "See you soon." });
    const c = await connect(t);
    const greeting = await c.read();
    expect(greeting.code).toBe(220);
    expect(greeting.lines[0]).toBe("220-first");
    expect(greeting.lines.at(-1)).toBe("220 last");
    expect(greeting.lines).toHaveLength(4);
    // No middle line may look like the end of the reply.
    for (const line of greeting.lines.slice(1, -1)) expect(line).not.toMatch(/^\d{3} /);
    expect(greeting.lines[1]).toBe("second line");
    expect(greeting.lines[2]).toContain("220 looks like an end");
    expect((await c.send("QUIT")).text).toBe("221 See you soon.");
    await waitFor(() => c.closed, "the server to close after QUIT");
  });

  it("a banner ending in a newline (a YAML block scalar) does not end in an empty line", async () => {
    const t = await serve({}, { banner: "Welcome\r\nto ftpi\n" });
    const c = await connect(t);
    const greeting = await c.read();
    expect(greeting.lines).toEqual(["220-Welcome", "220 to ftpi"]);
  });
});

describe("address filter", () => {
  it("server-wide deny: 127.0.0.2 is refused with 421 at connect, 127.0.0.1 is fine", async () => {
    const t = await serve({}, { ipFilter: { allow: [], deny: ["127.0.0.2"] } });
    await expectRefused(await connect(t, "127.0.0.2"));
    await greeted(t, "127.0.0.1");
  });

  it("server-wide allow list: only 127.0.0.1/32 may connect", async () => {
    const t = await serve({}, { ipFilter: { allow: ["127.0.0.1/32"], deny: [] } });
    await expectRefused(await connect(t, "127.0.0.2"));
    const c = await greeted(t, "127.0.0.1");
    expect((await c.send("NOOP")).code).toBe(200);
  });

  it("IPv6: a server listening on ::1 refuses ::1 when ::1/128 is denied, and lets it in otherwise", async () => {
    await assertIPv6Loopback();
    const denied = await serve({}, { listen: [{ host: "::1", port: 0 }], ipFilter: { allow: [], deny: ["::1/128"] } });
    await expectRefused(await connect(denied, undefined, "::1"));

    const allowed = await serve({}, { listen: [{ host: "::1", port: 0 }], ipFilter: { allow: ["::1/128"], deny: ["127.0.0.0/8"] } });
    const c = await connect(allowed, undefined, "::1");
    expect((await c.read()).code).toBe(220);
    await c.send("USER alice");
    expect((await c.send("PASS secret")).code).toBe(230);

    const v4Only = await serve({}, { listen: [{ host: "::1", port: 0 }], ipFilter: { allow: ["127.0.0.0/8"], deny: [] } });
    await expectRefused(await connect(v4Only, undefined, "::1"));
  });

  it("per-user filter: a user allowed only from 127.0.0.2 gets 530 from 127.0.0.1", async () => {
    const t = await serve({}, {}, async (root) => [await account("bob", root, { ipFilter: { allow: ["127.0.0.2"], deny: [] } })]);
    const here = await greeted(t, "127.0.0.1");
    expect((await here.send("USER bob")).code).toBe(331);
    expect((await here.send("PASS secret")).code).toBe(530);
    expect((await here.send("PWD")).code).toBe(530);

    const there = await greeted(t, "127.0.0.2");
    await there.send("USER bob");
    expect((await there.send("PASS secret")).code).toBe(230);
  });

  it("a disabled account gets 530 even with the right password", async () => {
    const t = await serve({}, {}, async (root) => [await account("carol", root, { enabled: false })]);
    const c = await greeted(t);
    expect((await c.send("USER carol")).code).toBe(331);
    expect((await c.send("PASS secret")).code).toBe(530);
    expect((await c.send("PWD")).code).toBe(530);
  });
});

describe("passive port pool", () => {
  it("with two passive ports a third simultaneous PASV answers 425; a finished transfer frees its port", async () => {
    const min = await twoFreePorts();
    const t = await serve({}, { passivePorts: { min, max: min + 1 } });
    await writeFile(path.join(t.root, "file.txt"), "payload");
    const [a, b, c] = [await loggedIn(t), await loggedIn(t), await loggedIn(t)];
    const portOf = (text: string) => {
      const m = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(text)!;
      return Number(m[5]) * 256 + Number(m[6]);
    };
    const pa = await a.send("PASV");
    const pb = await b.send("PASV");
    expect([pa.code, pb.code]).toEqual([227, 227]);
    expect(new Set([portOf(pa.text), portOf(pb.text)])).toEqual(new Set([min, min + 1]));
    expect((await c.send("PASV")).code).toBe(425);
    expect((await c.send("EPSV")).code).toBe(425);

    const data = await connectData("127.0.0.1", portOf(pa.text));
    const body = readAll(data);
    expect((await a.send("RETR file.txt")).code).toBe(150);
    expect((await a.read()).code).toBe(226);
    expect((await body).toString()).toBe("payload");

    const again = await c.send("PASV");
    expect(again.code).toBe(227);
    const cData = await connectData("127.0.0.1", portOf(again.text));
    const cBody = readAll(cData);
    expect((await c.send("RETR file.txt")).code).toBe(150);
    expect((await c.read()).code).toBe(226);
    expect((await cBody).toString()).toBe("payload");
  });
});

/** Fails loudly (never skips) when this machine has no IPv6 loopback. */
async function assertIPv6Loopback(): Promise<void> {
  const probe = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once("error", reject);
      probe.listen({ host: "::1", port: 0 }, resolve);
    });
  } catch (err) {
    throw new Error(`IPv6 loopback ::1 is not available here (${(err as Error).message}); these tests need it`);
  } finally {
    probe.close();
  }
}

/**
 * Two consecutive ports nobody listens on, below Linux's ephemeral range (32768+) and the
 * harness's passive ranges, so outgoing connections cannot take them meanwhile.
 */
async function twoFreePorts(): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once("error", () => resolve(false));
      s.listen({ host: "0.0.0.0", port, exclusive: true }, () => s.close(() => resolve(true)));
    });
  for (let tries = 0; tries < 200; tries++) {
    const min = 20_000 + 2 * Math.floor(Math.random() * 4_000);
    if ((await free(min)) && (await free(min + 1))) return min;
  }
  throw new Error("no two consecutive free ports in 20000-27999");
}
