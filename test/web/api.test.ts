import { writeFile } from "node:fs/promises";
import type { Socket } from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ControlClient, readAll } from "../support/control.ts";
import { waitFor } from "../support/wait.ts";
import { browserLogin, json, startWeb, type WebFixture } from "./support.ts";

let web: WebFixture;
const clients: ControlClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await web?.close();
});

async function connect(user?: string): Promise<ControlClient> {
  const client = await ControlClient.connect(web.ftp.port);
  clients.push(client);
  if (user) await client.login(user);
  else await client.read();
  return client;
}

/** alice downloading a 32 MiB file she does not read: the transfer stalls part-way. */
async function stalledDownload(): Promise<{ client: ControlClient; data: Socket }> {
  await writeFile(path.join(web.ftp.root, "big.bin"), Buffer.alloc(32 * 1024 * 1024, 7));
  const client = await connect("alice");
  await client.send("TYPE I");
  const data = await client.pasv();
  data.pause();
  client.write("RETR big.bin\r\n");
  expect((await client.read()).code).toBe(150);
  return { client, data };
}

/** GET /api/sessions once the first session's transfer has moved bytes. */
async function sessionsMidTransfer(): Promise<any[]> {
  let sessions: any[] = [];
  await waitFor(async () => {
    ({ sessions } = await json(await web.asAdmin("/api/sessions")));
    return sessions[0].transfer?.bytes > 0;
  }, "a transfer with bytes");
  return sessions;
}

describe("GET /api/status", () => {
  it("says version, uptime, addresses, limits, counters and what to post for friends", async () => {
    web = await startWeb();
    await connect("alice");
    const status = await json(await web.asAdmin("/api/status"));
    expect(status).toMatchObject({
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      tls: { enabled: false, required: false, implicit: [] },
      listen: [{ host: "127.0.0.1", port: web.ftp.port }],
      passivePorts: { min: web.ftp.server.options.passivePorts.min, inUse: 0 },
      sessions: { current: 1, maxClients: 50, maxPerAddress: 20, transferring: 0 },
      logins: { ok: 1, failed: 0 },
      ftp: { host: "127.0.0.1", hostFrom: "listen", port: web.ftp.port, url: `ftp://127.0.0.1:${web.ftp.port}/`, anonymous: false, users: ["alice"] },
    });
    expect(status.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(status.ftp.text).toContain(`ftp://127.0.0.1:${web.ftp.port}/`);
  });
});

describe("GET /api/sessions", () => {
  it("lists each session with address, user, since, idle time and command", async () => {
    web = await startWeb();
    await connect("alice");
    await connect();
    const { sessions } = await json(await web.asAdmin("/api/sessions"));
    expect(sessions).toHaveLength(2);
    expect(sessions[0]).toMatchObject({ remoteAddress: "127.0.0.1", user: "alice", anonymous: false, transfer: null, currentCommand: null });
    expect(sessions[1].user).toBeNull();
    expect(Date.parse(sessions[0].connectedAt)).toBeLessThanOrEqual(Date.now());
    expect(sessions[0].idleSeconds).toBeGreaterThanOrEqual(0);
  });

  it("shows a running download with bytes, size, percent and rate", async () => {
    web = await startWeb();
    const { client, data } = await stalledDownload();
    const { transfer } = (await sessionsMidTransfer())[0];
    expect(transfer).toMatchObject({ direction: "download", path: "/big.bin", offset: 0, size: 32 * 1024 * 1024 });
    expect(transfer.percent).toBeGreaterThan(0);
    expect(transfer.percent).toBeLessThan(100);
    data.resume();
    await readAll(data);
    expect((await client.read()).code).toBe(226);
  });

  it("shows the command that started a running transfer, in the API and on the sessions page", async () => {
    web = await startWeb();
    const { client, data } = await stalledDownload();
    try {
      const sessions = await sessionsMidTransfer();
      expect(sessions[0]).toMatchObject({ idleSeconds: 0, currentCommand: "RETR big.bin" });
      const { cookie } = await browserLogin(web);
      const page = await (await web.request("/sessions", { headers: { cookie } })).text();
      expect(page).toContain('<td data-label="Command" class="mono">RETR big.bin</td>');
    } finally {
      data.resume();
      await readAll(data);
      await client.read();
    }
  });
});

describe("GET /api/transfers", () => {
  it("lists finished transfers, newest first", async () => {
    web = await startWeb();
    await writeFile(path.join(web.ftp.root, "a.txt"), "hello");
    const client = await connect("alice");
    for (let i = 0; i < 2; i++) {
      const data = await client.pasv();
      client.write("RETR a.txt\r\n");
      await readAll(data);
      await client.read();
      expect((await client.read()).code).toBe(226);
    }
    const { transfers } = await json(await web.asAdmin("/api/transfers"));
    expect(transfers).toHaveLength(2);
    expect(transfers[0]).toMatchObject({ user: "alice", remoteAddress: "127.0.0.1", direction: "download", path: "/a.txt", bytes: 5, outcome: "ok" });
    expect(Date.parse(transfers[0].at)).toBeGreaterThanOrEqual(Date.parse(transfers[1].at));
  });

  it("keeps the last 100, dropping the oldest", { timeout: 60_000 }, async () => {
    web = await startWeb();
    const TOTAL = 103;
    for (let i = 0; i < TOTAL; i++) await writeFile(path.join(web.ftp.root, `f${i}.txt`), "x".repeat(i + 1));
    const client = await connect("alice");
    for (let i = 0; i < TOTAL; i++) {
      const data = await client.pasv();
      client.write(`RETR f${i}.txt\r\n`);
      expect((await readAll(data)).length).toBe(i + 1);
      await client.read();
      expect((await client.read()).code).toBe(226);
    }
    await waitFor(() => web.ftp.server.stats.transfers.ok === TOTAL, "every transfer counted");
    const { transfers } = await json(await web.asAdmin("/api/transfers"));
    expect(transfers).toHaveLength(100);
    // Newest first: f102 down to f3; f0-f2 have left the list (the totals still count them).
    expect(transfers[0]).toMatchObject({ path: "/f102.txt", bytes: 103 });
    expect(transfers[99]).toMatchObject({ path: "/f3.txt", bytes: 4 });
    expect(transfers.map((t: { path: string }) => t.path)).not.toContain("/f2.txt");
    expect((await json(await web.asAdmin("/api/status"))).transfers.ok).toBe(TOTAL);
  });
});

describe("POST /api/sessions/:id/kick", () => {
  it("ends the session with 421", async () => {
    web = await startWeb();
    const client = await connect("alice");
    const { sessions } = await json(await web.asAdmin("/api/sessions"));
    const res = await web.asAdmin(`/api/sessions/${sessions[0].id}/kick`, { method: "POST" });
    expect(await res.json()).toEqual({ kicked: sessions[0].id });
    const reply = await client.read();
    expect(reply.code).toBe(421);
    await waitFor(() => client.closed, "the control connection to close");
    expect(web.ftp.server.sessions.size).toBe(0);
  });

  it("answers 404 for an unknown session, and a plain form goes back to the page", async () => {
    web = await startWeb();
    expect((await web.asAdmin("/api/sessions/nope/kick", { method: "POST" })).status).toBe(404);
    const form = await web.asAdmin("/api/sessions/nope/kick", { method: "POST", headers: { accept: "text/html" } });
    expect(form.status).toBe(303);
    expect(form.headers.get("location")).toBe("/sessions");
    expect((await web.asAdmin("/api/nothing")).status).toBe(404);
  });
});
