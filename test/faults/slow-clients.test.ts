import { writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Limits } from "../../core/config/types.ts";
import type { Session } from "../../core/session.ts";
import { ControlClient } from "../support/control.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { sleep, waitFor } from "../support/wait.ts";

let servers: TestServer[] = [];
let sockets: net.Socket[] = [];

afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets = [];
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(limits: Partial<Limits>): Promise<TestServer> {
  const base = { maxClients: 50, maxSessionsPerIp: 20, maxSessionsPerUser: 0, loginTimeoutMs: 30_000, idleTimeoutMs: 60_000, maxLoginFailures: 3, passiveTimeoutMs: 10_000, dataTimeoutMs: 300_000 };
  const t = await startServer({ options: { limits: { ...base, ...limits } as Limits } });
  servers.push(t);
  return t;
}

async function connect(t: TestServer): Promise<ControlClient> {
  const c = await ControlClient.connect(t.port);
  sockets.push(c.socket);
  return c;
}

/** Writes `bytes` one at a time, `everyMs` apart, until the connection closes or they run out. */
function trickle(c: ControlClient, bytes: Buffer, everyMs: number): { stop(): void } {
  let i = 0;
  const timer = setInterval(() => {
    if (c.closed || i >= bytes.length) return clearInterval(timer);
    c.write(bytes.subarray(i, ++i));
  }, everyMs);
  return { stop: () => clearInterval(timer) };
}

function onlySession(t: TestServer): Session {
  expect(t.server.sessions.size).toBe(1);
  return [...t.server.sessions][0]!;
}

describe("a client that sends slowly", () => {
  it("one byte per second never completes its login and is dropped by the login timeout (421)", { timeout: 20_000 }, async () => {
    const t = await serve({ loginTimeoutMs: 3000, idleTimeoutMs: 60_000 });
    const started = Date.now();
    const c = await connect(t);
    expect((await c.read()).code).toBe(220);
    expect((await c.send("USER alice")).code).toBe(331);
    const slow = trickle(c, Buffer.from("PASS secret\r\n"), 1000);
    const r = await c.read(10_000);
    slow.stop();
    expect(r.code).toBe(421);
    expect(r.text).toMatch(/login timed out/i);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    expect(Date.now() - started).toBeLessThan(7000);
    await waitFor(() => c.closed, "the server to close the connection");
    await waitFor(() => t.server.sessions.size === 0, "the session to end");
  });

  it("logged in, bytes that never make a command (a line without end, blank lines, Telnet NOPs) do not hold off the idle timeout", { timeout: 30_000 }, async () => {
    const t = await serve({ idleTimeoutMs: 2000 });
    const noises = [Buffer.from("NOOP".repeat(10)), Buffer.from("\r\n".repeat(20)), Buffer.from(Array.from({ length: 40 }, (_, i) => (i % 2 ? 0xf1 : 0xff)))];
    for (const noise of noises) {
      const c = await connect(t);
      expect((await c.read()).code).toBe(220);
      expect((await c.send("USER alice")).code).toBe(331);
      // The server's clock starts when PASS arrives, before the password check is done.
      const quietSince = Date.now();
      expect((await c.send("PASS secret")).code).toBe(230);
      const slow = trickle(c, noise, 200);
      const r = await c.read(8000);
      slow.stop();
      expect(r.code).toBe(421);
      expect(r.text).toMatch(/idle/i);
      expect(Date.now() - quietSince).toBeGreaterThanOrEqual(2000);
      expect(Date.now() - quietSince).toBeLessThan(5000);
      await waitFor(() => c.closed, "the server to close the connection");
    }
    await waitFor(() => t.server.sessions.size === 0, "every session to end");
  });

  it("logged in, a command every so often does keep the session alive", { timeout: 20_000 }, async () => {
    const t = await serve({ idleTimeoutMs: 1500 });
    const c = await connect(t);
    await c.login();
    for (let i = 0; i < 4; i++) {
      await sleep(800);
      expect((await c.send("NOOP")).code).toBe(200);
    }
    expect(c.closed).toBe(false);
  });
});

describe("a client that does not read", () => {
  it("its replies: the server stops reading its commands instead of buffering the answers", { timeout: 60_000 }, async () => {
    const t = await serve({});
    const raw = net.connect({ host: "127.0.0.1", port: t.port });
    sockets.push(raw);
    await new Promise((r) => raw.once("connect", r));
    raw.pause(); // reads nothing: not even the greeting
    await waitFor(() => t.server.sessions.size === 1, "the session");
    const session = onlySession(t);
    const commands = 20_000;
    raw.write(Buffer.from("HELP\r\n".repeat(commands))); // ~120 KB asking for ~8 MB of replies
    let peak = 0;
    for (let i = 0; i < 30; i++) {
      peak = Math.max(peak, session.socket.writableLength);
      await sleep(50);
    }
    expect(peak).toBeLessThan(256 * 1024);

    // Once it reads, every command is answered, in order, and the session goes on.
    let text = "";
    raw.setEncoding("latin1");
    raw.on("data", (d: string) => (text += d));
    raw.resume();
    raw.write("NOOP\r\n");
    await waitFor(() => text.endsWith("200 NOOP ok.\r\n"), "the NOOP after every HELP", 30_000);
    expect(text.match(/^214 /gm)?.length).toBe(commands);
  });

  it("while a transfer runs: commands flooded meanwhile are not read faster than they are answered", { timeout: 60_000 }, async () => {
    const t = await serve({});
    await writeFile(path.join(t.root, "big.bin"), Buffer.alloc(32 * 1024 * 1024));
    const c = await connect(t);
    await c.login();
    await c.send("TYPE I");
    const data = await c.pasv();
    data.pause(); // the download stalls: the transfer holds every queued command
    expect((await c.send("RETR big.bin")).code).toBe(150);
    const session = onlySession(t);
    const readBefore = session.socket.bytesRead;
    const commands = 100_000;
    c.write(Buffer.from("PWD\r\n".repeat(commands))); // 500 KB
    await sleep(1500);
    expect(session.socket.bytesRead - readBefore).toBeLessThan(256 * 1024);

    // The download finishes; then every queued PWD is answered and the session goes on.
    data.resume();
    expect((await c.read(30_000)).code).toBe(226);
    for (let i = 0; i < commands; i++) {
      const r = await c.read(30_000);
      if (r.code !== 257) expect.fail(`reply ${i} to PWD: ${r.text}`);
    }
    expect((await c.send("NOOP")).code).toBe(200);
  });
});

describe("a stalled transfer", () => {
  it("a download the client never reads is aborted after dataTimeout (426), and the session lives on", { timeout: 30_000 }, async () => {
    const t = await serve({ dataTimeoutMs: 1500, idleTimeoutMs: 60_000 });
    await writeFile(path.join(t.root, "big.bin"), Buffer.alloc(32 * 1024 * 1024, 3));
    const c = await connect(t);
    await c.login();
    await c.send("TYPE I");
    const data = await c.pasv();
    sockets.push(data);
    data.pause(); // never read: the kernel buffers fill and the transfer stops moving
    expect((await c.send("RETR big.bin")).code).toBe(150);
    const started = Date.now();
    expect((await c.read(15_000)).code).toBe(426);
    expect(Date.now() - started).toBeGreaterThan(1400);
    expect((await c.send("NOOP")).code).toBe(200);
    expect(t.logs.some((l) => l.includes("transfer stalled"))).toBe(true);
  });
});
