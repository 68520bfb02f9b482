import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ControlClient, readAll } from "../support/control.ts";
import { sleep, waitFor } from "../support/wait.ts";
import { startChildServer, type ChildServer } from "./child.ts";

let t: ChildServer;

beforeAll(async () => {
  t = await startChildServer();
  await writeFile(path.join(t.root, "small.bin"), randomBytes(1000));
  await writeFile(path.join(t.root, "big.bin"), randomBytes(4 * 1024 * 1024));
});
afterAll(() => t?.close());

const openFiles = async () => (await t.openFiles()).length;

/** Waits until the server holds no more descriptors than `limit`; returns what it holds. */
async function settlesAt(limit: number, ms = 3000): Promise<number> {
  let n = await openFiles();
  for (const until = Date.now() + ms; n > limit && Date.now() < until; n = await openFiles()) await sleep(50);
  return n;
}

async function client(): Promise<ControlClient> {
  const c = await ControlClient.connect(t.port);
  await c.login();
  expect((await c.send("TYPE I")).code).toBe(200);
  return c;
}

/** An active-mode data connection: we listen, PORT names it, the server connects. */
async function port(c: ControlClient): Promise<{ connection: Promise<net.Socket> }> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const p = (server.address() as net.AddressInfo).port;
  expect((await c.send(`PORT 127,0,0,1,${p >> 8},${p & 255}`)).code).toBe(200);
  const connection = new Promise<net.Socket>((resolve) =>
    server.once("connection", (s) => {
      server.close();
      resolve(s);
    }),
  );
  return { connection };
}

describe("descriptors", () => {
  it("none outlives the transfers and sessions that used it: downloads, listings, uploads, active and passive", { timeout: 60_000 }, async () => {
    await t.waitForSessions(0);
    const before = await openFiles();
    for (let i = 0; i < 10; i++) {
      const c = await client();
      for (const command of ["RETR small.bin", "RETR big.bin", "LIST", "NLST", "MLSD"]) {
        const body = readAll(await c.pasv());
        expect((await c.send(command)).code).toBe(150);
        expect((await c.read()).code).toBe(226);
        await body;
      }
      const active = await port(c);
      expect((await c.send("RETR small.bin")).code).toBe(150);
      const body = readAll(await active.connection);
      expect((await c.read()).code).toBe(226);
      expect((await body).length).toBe(1000);
      const up = await c.pasv();
      expect((await c.send(`STOR up-${i}.bin`)).code).toBe(150);
      up.end(randomBytes(100_000));
      expect((await c.read()).code).toBe(226);
      c.close();
    }
    await t.waitForSessions(0);
    expect(await settlesAt(before + 2)).toBeLessThanOrEqual(before + 2);
  });

  it("a client that keeps its side of a finished download open loses it after a grace period", { timeout: 30_000 }, async () => {
    await t.waitForSessions(0);
    const before = await openFiles();
    const c = await client();
    const m = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec((await c.send("PASV")).text)!;
    // Reads to the end, but does not close its own side.
    const data = net.connect({ host: "127.0.0.1", port: Number(m[5]) * 256 + Number(m[6]), allowHalfOpen: true });
    data.on("error", () => {});
    await new Promise((r) => data.once("connect", r));
    const ended = new Promise((r) => data.once("end", r));
    data.resume();
    expect((await c.send("RETR small.bin")).code).toBe(150);
    expect((await c.read()).code).toBe(226);
    await ended;
    await sleep(1000);
    // Control and data connection, both still held.
    expect(await openFiles()).toBeGreaterThanOrEqual(before + 2);
    // Then the data connection goes, though the client still holds its side (and the session).
    expect(await settlesAt(before + 1, 15_000)).toBeLessThanOrEqual(before + 1);
    expect(data.destroyed).toBe(false);
    expect((await c.send("NOOP")).code).toBe(200);
    data.destroy();
    c.close();
  });
});
