import { readFile } from "node:fs/promises";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ControlClient, readAll } from "../support/control.ts";
import { waitFor } from "../support/wait.ts";
import { startChildServer, type ChildServer, type YamlLimits } from "./child.ts";

// 1,000 connections need ~1,000 descriptors in the server and as many here.
const FD_LIMIT = 4096;

let servers: ChildServer[] = [];
let sockets: net.Socket[] = [];

afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets = [];
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(limits: YamlLimits, fdLimit = FD_LIMIT): Promise<ChildServer> {
  const t = await startChildServer({ fdLimit, limits: { loginTimeout: 120, idleTimeout: 120, ...limits } });
  servers.push(t);
  return t;
}

async function softFdLimit(pid: number | "self"): Promise<number> {
  const limits = await readFile(`/proc/${pid}/limits`, "utf8");
  const m = /^Max open files\s+(\S+)/m.exec(limits);
  return m![1] === "unlimited" ? Infinity : Number(m![1]);
}

interface Answered {
  socket: net.Socket;
  /** The first reply line: "220 …" when held, "421 …" when refused. */
  first: string;
}

/** Opens a connection from `localAddress` and waits for the server's first line. */
function open(port: number, localAddress = "127.0.0.1"): Promise<Answered> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port, localAddress });
    sockets.push(socket);
    let text = "";
    const timer = setTimeout(() => reject(new Error(`no reply from the server within 15 s (${localAddress})`)), 15_000);
    socket.setEncoding("latin1");
    socket.on("data", (d: string) => {
      text += d;
      const end = text.indexOf("\r\n");
      if (end >= 0) {
        clearTimeout(timer);
        resolve({ socket, first: text.slice(0, end) });
      }
    });
    socket.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      reject(new Error("closed without a reply"));
    });
  });
}

/** `count` connections, `batch` at a time (the listen backlog is finite), each greeted or refused. */
async function openMany(port: number, count: number, localAddress?: string, batch = 100): Promise<Answered[]> {
  const all: Answered[] = [];
  for (let i = 0; i < count; i += batch) {
    all.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - i) }, () => open(port, localAddress)))));
  }
  return all;
}

async function expectRefused(a: Answered, text: RegExp): Promise<void> {
  expect(a.first).toMatch(/^421 /);
  expect(a.first).toMatch(text);
  await waitFor(() => a.socket.closed || a.socket.readableEnded, "the server to close a refused connection");
}

describe("many concurrent idle connections", () => {
  it("maxClients 1000 and maxSessionsPerIp 1000: all 1,000 are greeted and held, the 1,001st gets 421", { timeout: 120_000 }, async () => {
    const ours = await softFdLimit("self");
    if (ours < 2200) expect.fail(`this test process may open only ${ours} files; run the tests with "ulimit -n ${FD_LIMIT}"`);
    const t = await serve({ maxClients: 1000, maxSessionsPerIp: 1000 });
    expect(await softFdLimit(t.ftpi.proc.pid!)).toBeGreaterThanOrEqual(FD_LIMIT);

    const held = await openMany(t.port, 1000);
    expect(held.filter((a) => !a.first.startsWith("220 ")).map((a) => a.first)).toEqual([]);
    await t.waitForSessions(1000);
    await expectRefused(await open(t.port), /too many users/i);
    await expectRefused(await open(t.port, "127.0.0.2"), /too many users/i);
    // Still all there, every one still answering.
    expect(await t.metric("ftpi_sessions")).toBe(1000);
    const sample = held.filter((_, i) => i % 97 === 0);
    const answers = await Promise.all(sample.map((a) => new Promise<string>((resolve) => {
      let text = "";
      a.socket.on("data", (d: string) => {
        text += d;
        if (text.includes("\r\n")) resolve(text);
      });
      a.socket.write("NOOP\r\n");
    })));
    expect(answers.every((text) => text.startsWith("200 "))).toBe(true);

    // A freed slot is taken again, and no more than that.
    held[0]!.socket.destroy();
    await t.waitForSessions(999);
    expect((await open(t.port)).first).toMatch(/^220 /);
    await expectRefused(await open(t.port), /too many users/i);

    for (const s of sockets) s.destroy();
    await t.waitForSessions(0, 20_000);
    expect(t.alive()).toBe(true);
  });

  it("lower limits refuse exactly at the configured numbers: per address first, then for everyone", { timeout: 120_000 }, async () => {
    const t = await serve({ maxClients: 300, maxSessionsPerIp: 200 });
    const first = await openMany(t.port, 200, "127.0.0.1");
    expect(first.every((a) => a.first.startsWith("220 "))).toBe(true);
    await expectRefused(await open(t.port, "127.0.0.1"), /from your address/i);

    const second = await openMany(t.port, 100, "127.0.0.2");
    expect(second.every((a) => a.first.startsWith("220 "))).toBe(true);
    await t.waitForSessions(300);
    await expectRefused(await open(t.port, "127.0.0.2"), /too many users/i);
    await expectRefused(await open(t.port, "127.0.0.3"), /too many users/i);

    // One address frees a slot: the server-wide limit lets exactly one more in, from anywhere.
    second[0]!.socket.destroy();
    await t.waitForSessions(299);
    expect((await open(t.port, "127.0.0.3")).first).toMatch(/^220 /);
    await expectRefused(await open(t.port, "127.0.0.3"), /too many users/i);
    expect(await t.metric("ftpi_sessions")).toBe(300);

    for (const s of sockets) s.destroy();
    await t.waitForSessions(0, 20_000);
    expect(t.alive()).toBe(true);
  });

  it("past the open-file limit (maxClients above it) the extra connections are closed, and the server recovers", { timeout: 60_000 }, async () => {
    const t = await serve({ maxClients: 1000, maxSessionsPerIp: 1000 }, 300);
    const outcomes = await Promise.all(Array.from({ length: 400 }, () => open(t.port).then((a) => a.first.slice(0, 3), () => "closed")));
    const greeted = outcomes.filter((o) => o === "220").length;
    expect(greeted).toBeGreaterThan(200);
    expect(greeted).toBeLessThan(300);
    // Every other one was closed at once (libuv's spare descriptor), none left hanging.
    expect(outcomes.filter((o) => o !== "220" && o !== "closed")).toEqual([]);
    expect(t.alive()).toBe(true);

    for (const s of sockets) s.destroy();
    await t.waitForSessions(0, 20_000);
    const c = await ControlClient.connect(t.port);
    await c.login();
    const data = await c.pasv();
    const body = readAll(data);
    expect((await c.send("LIST")).code).toBe(150);
    expect((await c.read()).code).toBe(226);
    await body;
    c.close();
    expect(t.alive()).toBe(true);
  });
});
