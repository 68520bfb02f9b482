import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import hitOMeter, { type HitOMeterApi } from "../../plugins/hit-o-meter/index.ts";
import { HitOMeter, type SavedMeter } from "../../plugins/hit-o-meter/meter.ts";
import { RingSeries } from "../../plugins/hit-o-meter/ring-series.ts";
import { ControlClient, readAll } from "../support/control.ts";
import { account, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { connectDataFrom, fakeContext, fakeSession, pluginRoutes, startWithBuiltins, tempDataDir } from "./support.ts";

let servers: TestServer[] = [];
let clients: ControlClient[] = [];
afterEach(async () => {
  for (const c of clients) c.close();
  clients = [];
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

const ALICE_FILE = 12_345;
const BOB_FILE = 54_321;

async function serve(options: Record<string, unknown> = {}, dataDir?: string): Promise<TestServer> {
  const t = await startWithBuiltins([{ name: "hit-o-meter", options }], {
    accounts: async (root) => [await account("alice", root), await account("bob", root)],
    ...(dataDir ? { options: { dataDir } } : {}),
  });
  servers.push(t);
  return t;
}

async function login(t: TestServer, user: string, localAddress: string): Promise<ControlClient> {
  const c = await ControlClient.connect(t.port, "127.0.0.1", localAddress);
  clients.push(c);
  await c.login(user);
  return c;
}

/** PASV with the data connection from the client's own address, as the server insists. */
async function pasvFrom(c: ControlClient, localAddress: string) {
  const r = await c.send("PASV");
  const m = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(r.text)!;
  return connectDataFrom(`${m[1]}.${m[2]}.${m[3]}.${m[4]}`, Number(m[5]) * 256 + Number(m[6]), localAddress);
}

/** alice (127.0.0.1) downloads 12,345 bytes; bob (127.0.0.2) uploads 54,321 bytes and fails a login once. */
async function traffic(t: TestServer): Promise<void> {
  await writeFile(path.join(t.root, "alice.bin"), Buffer.alloc(ALICE_FILE, 7));
  const alice = await login(t, "alice", "127.0.0.1");
  const down = await pasvFrom(alice, "127.0.0.1");
  expect((await alice.send("RETR alice.bin")).code).toBe(150);
  expect((await readAll(down)).length).toBe(ALICE_FILE);
  expect((await alice.read()).code).toBe(226);

  const failing = await ControlClient.connect(t.port, "127.0.0.1", "127.0.0.2");
  clients.push(failing);
  await failing.read();
  await failing.send("USER bob");
  expect((await failing.send("PASS wrong")).code).toBe(530);

  const bob = await login(t, "bob", "127.0.0.2");
  const up = await pasvFrom(bob, "127.0.0.2");
  expect((await bob.send("STOR bob.bin")).code).toBe(150);
  up.end(Buffer.alloc(BOB_FILE, 9));
  expect((await bob.read()).code).toBe(226);
  expect((await readFile(path.join(t.root, "bob.bin"))).length).toBe(BOB_FILE);
}

const getJson = async (t: TestServer, url: string): Promise<any> => {
  const res = await pluginRoutes(t.server).request(url);
  expect(res.status).toBe(200);
  return res.json();
};

const sum = (buckets: { in: number; out: number }[]) => buckets.reduce((s, b) => ({ in: s.in + b.in, out: s.out + b.out }), { in: 0, out: 0 });

describe("hit-o-meter over real sockets", () => {
  it("counts two users' transfers to the byte, per user and per address", async () => {
    const t = await serve();
    await traffic(t);
    await waitFor(async () => (await getJson(t, "/plugins/hit-o-meter/api/top?by=user")).length === 2, "both users counted");

    const users = await getJson(t, "/plugins/hit-o-meter/api/top?by=user");
    const alice = users.find((u: { key: string }) => u.key === "alice");
    const bob = users.find((u: { key: string }) => u.key === "bob");
    expect(alice).toMatchObject({ connections: 1, logins: { ok: 1, failed: 0 }, downloads: { files: 1, bytes: ALICE_FILE }, uploads: { files: 0, bytes: 0 } });
    expect(bob).toMatchObject({ connections: 1, logins: { ok: 1, failed: 1 }, downloads: { files: 0, bytes: 0 }, uploads: { files: 1, bytes: BOB_FILE } });
    expect(Object.keys(alice).sort()).toEqual(["connections", "downloads", "firstSeen", "key", "lastSeen", "logins", "uploads"]);
    expect(Date.parse(alice.firstSeen)).toBeLessThanOrEqual(Date.parse(alice.lastSeen));
    // Busiest first by default: bob moved more.
    expect(users.map((u: { key: string }) => u.key)).toEqual(["bob", "alice"]);

    const ips = await getJson(t, "/plugins/hit-o-meter/api/top?by=ip");
    expect(ips.find((r: { key: string }) => r.key === "127.0.0.1")).toMatchObject({ connections: 1, logins: { ok: 1, failed: 0 }, downloads: { files: 1, bytes: ALICE_FILE } });
    expect(ips.find((r: { key: string }) => r.key === "127.0.0.2")).toMatchObject({ connections: 2, logins: { ok: 1, failed: 1 }, uploads: { files: 1, bytes: BOB_FILE } });

    const hour = await getJson(t, "/plugins/hit-o-meter/api/history?range=hour");
    expect(hour.bucketSeconds).toBe(60);
    expect(hour.buckets).toHaveLength(60);
    expect(sum(hour.buckets)).toEqual({ in: BOB_FILE, out: ALICE_FILE });
    expect(sum((await getJson(t, "/plugins/hit-o-meter/api/history?range=hour&by=user&key=alice")).buckets)).toEqual({ in: 0, out: ALICE_FILE });
    expect((await pluginRoutes(t.server).request("/plugins/hit-o-meter/api/top?by=nobody")).status).toBe(400);

    const metrics = (t.server.host.apis.get("hit-o-meter") as HitOMeterApi).metrics();
    expect(metrics).toContain(`ftpi_hitometer_bytes_total{direction="out",user="alice"} ${ALICE_FILE}`);
    expect(metrics).toContain(`ftpi_hitometer_bytes_total{direction="in",user="bob"} ${BOB_FILE}`);
    expect(metrics).toContain("# TYPE ftpi_hitometer_bytes_total counter");
  });

  it("keeps counters and history across a restart", async () => {
    const dataDir = await tempDataDir();
    const t = await serve({}, dataDir);
    await traffic(t);
    await waitFor(async () => (await getJson(t, "/plugins/hit-o-meter/api/top?by=user")).length === 2, "both users counted");
    // No periodic save has run yet: the close-time save keeps it.
    await t.close();
    servers = [];
    const saved = JSON.parse(await readFile(path.join(dataDir, "plugins", "hit-o-meter", "meter.json"), "utf8")) as SavedMeter;
    expect(saved.version).toBe(1);

    const restarted = await serve({}, dataDir);
    for (const range of ["hour", "day", "month"]) {
      const history = await getJson(restarted, `/plugins/hit-o-meter/api/history?range=${range}`);
      expect(sum(history.buckets)).toEqual({ in: BOB_FILE, out: ALICE_FILE });
    }
    const users = await getJson(restarted, "/plugins/hit-o-meter/api/top?by=user");
    expect(users.find((u: { key: string }) => u.key === "bob").uploads).toEqual({ files: 1, bytes: BOB_FILE });
    expect(sum((await getJson(restarted, "/plugins/hit-o-meter/api/history?range=day&by=ip&key=127.0.0.2")).buckets)).toEqual({ in: BOB_FILE, out: 0 });
  });

  it("counts nothing of a direction switched off", async () => {
    const t = await serve({ countUploads: false });
    await traffic(t);
    await waitFor(async () => (await getJson(t, "/plugins/hit-o-meter/api/top?by=user")).some((u: { downloads: { files: number } }) => u.downloads.files === 1), "alice's download");
    const users = await getJson(t, "/plugins/hit-o-meter/api/top?by=user");
    expect(users.find((u: { key: string }) => u.key === "bob").uploads).toEqual({ files: 0, bytes: 0 });
    expect(sum((await getJson(t, "/plugins/hit-o-meter/api/history?range=hour")).buckets)).toEqual({ in: 0, out: ALICE_FILE });
  });

  it("counts no downloads with countDownloads: false, and says so on the panel", async () => {
    const t = await serve({ countDownloads: false });
    await traffic(t);
    await waitFor(async () => (await getJson(t, "/plugins/hit-o-meter/api/top?by=user")).some((u: { uploads: { files: number } }) => u.uploads.files === 1), "bob's upload");
    const users = await getJson(t, "/plugins/hit-o-meter/api/top?by=user");
    // alice is still seen (her connection and login count); her download is not.
    expect(users.find((u: { key: string }) => u.key === "alice")).toMatchObject({ logins: { ok: 1, failed: 0 }, downloads: { files: 0, bytes: 0 } });
    expect(users.find((u: { key: string }) => u.key === "bob").uploads).toEqual({ files: 1, bytes: BOB_FILE });
    expect((await getJson(t, "/plugins/hit-o-meter/api/top?by=ip")).find((r: { key: string }) => r.key === "127.0.0.1").downloads).toEqual({ files: 0, bytes: 0 });
    expect(sum((await getJson(t, "/plugins/hit-o-meter/api/history?range=hour")).buckets)).toEqual({ in: BOB_FILE, out: 0 });
    const metrics = (t.server.host.apis.get("hit-o-meter") as HitOMeterApi).metrics();
    expect(metrics).not.toMatch(/ftpi_hitometer_bytes_total\{direction="out",user="alice"\} [1-9]/);
    expect(metrics).toContain(`ftpi_hitometer_bytes_total{direction="in",user="bob"} ${BOB_FILE}`);
    expect(await (await pluginRoutes(t.server).request("/plugins/hit-o-meter")).text()).toMatch(/downloads[^<]*not counted|not counted[^<]*downloads/i);
  });

  it("ends its live stream (ctx.sse) when the server closes", async () => {
    const t = await serve({ sampleInterval: 0.05 });
    const live = await pluginRoutes(t.server).request("/plugins/hit-o-meter/live");
    expect(live.headers.get("content-type")).toContain("text/event-stream");
    const reader = live.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe("event: hello\nretry: 3000\ndata: \n\n");
    await t.close();
    servers = [];
    // The stream, waiting a second between events, ends at once instead.
    const started = Date.now();
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
    expect(Date.now() - started).toBeLessThan(900);
  });

  it("renders the panel: sortable tables, the SVG chart, and live rates over SSE", async () => {
    const t = await serve();
    await traffic(t);
    await waitFor(async () => (await getJson(t, "/plugins/hit-o-meter/api/top?by=user")).length === 2, "both users counted");
    const app = pluginRoutes(t.server);

    const chart = await app.request("/plugins/hit-o-meter/chart.svg?range=hour");
    expect(chart.headers.get("content-type")).toContain("image/svg+xml");
    const svg = await chart.text();
    expect(svg).toMatch(/^<\?xml[^>]*>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    // Both areas rise above the baseline somewhere (y < 194, the baseline of a 220 px chart).
    for (const series of ["out", "in"]) {
      const d = new RegExp(`<path d="([^"]+)"[^>]*data-series="${series}"`).exec(svg)![1]!;
      const ys = [...d.matchAll(/[ML][\d.]+,([\d.]+)/g)].map((m) => Number(m[1]));
      expect(ys).toHaveLength(60 + 2); // a point per minute, then down to the baseline and back
      expect(Math.min(...ys)).toBeLessThan(194);
    }
    expect((await app.request("/plugins/hit-o-meter/chart.svg?range=year")).status).toBe(400);

    const page = await (await app.request("/plugins/hit-o-meter?range=month&sort=uploads")).text();
    expect(page).toContain("<!DOCTYPE html>");
    expect(page).toContain("<svg");
    expect(page).toContain("over the last 30 days");
    expect(page).toContain('data-live-url="/plugins/hit-o-meter/live"');
    expect(page).toContain('src="/plugins/hit-o-meter/live.js"');
    const usersTable = page.slice(page.indexOf("Top users"));
    expect(usersTable.indexOf(">bob<")).toBeLessThan(usersTable.indexOf(">alice<"));
    const sortedByName = await (await app.request("/plugins/hit-o-meter?sort=key")).text();
    const byName = sortedByName.slice(sortedByName.indexOf("Top users"));
    expect(byName.indexOf(">alice<")).toBeLessThan(byName.indexOf(">bob<"));
    expect((await app.request("/plugins/hit-o-meter/live.js")).headers.get("content-type")).toContain("javascript");

    const live = await app.request("/plugins/hit-o-meter/live");
    expect(live.headers.get("content-type")).toContain("text/event-stream");
    const reader = live.body!.getReader();
    let text = "";
    while (!text.includes("event: rates")) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const data = JSON.parse(/event: rates\ndata: (.*)\n/.exec(text)![1]!);
    expect(data).toMatchObject({ server: { in: expect.any(Number), out: expect.any(Number) }, ip: {}, user: {} });
  });
});

describe("hit-o-meter's parts", () => {
  it("a ring series keeps the last N buckets in fixed memory, across wrap-around and save/restore", () => {
    const ring = new RingSeries(5, 1000);
    ring.add(0, 1, 0);
    ring.add(1500, 2, 0);
    ring.add(1999, 3, 10);
    expect(ring.last(3, 2500)).toEqual([
      { start: 0, in: 1, out: 0 },
      { start: 1000, in: 5, out: 10 },
      { start: 2000, in: 0, out: 0 },
    ]);
    // Seven buckets later, the first ones have left the window.
    ring.add(7000, 4, 4);
    expect(ring.last(5, 7000).map((b) => b.in)).toEqual([0, 0, 0, 0, 4]);
    ring.add(1000, 99, 99); // too old to keep
    const copy = new RingSeries(5, 1000);
    copy.restore(ring.save());
    expect(copy.last(5, 8000)).toEqual(ring.last(5, 8000));
    expect(ring.save().buckets).toEqual([[1, 4, 4]]);
  });

  it("samples running transfers into live rates and history without counting a byte twice", async () => {
    const meter = new HitOMeter({ countUploads: true, countDownloads: true, maxKeys: 100, historyKeys: 1, saveInterval: 300, sampleInterval: 1 });
    const session = fakeSession("192.0.2.9", "carol");
    const startedAt = new Date(60_000);
    const running = (bytes: number) => [{ session, direction: "download" as const, path: "/big.iso", bytes, size: 10_000, startedAt }];
    meter.sample(running(1000), 61_000);
    meter.sample(running(3000), 62_000);
    expect(meter.rates.server).toEqual({ in: 0, out: 2000 });
    expect(meter.rates.user["carol"]).toEqual({ in: 0, out: 2000 });
    meter.transferEnded({ session, direction: "download", path: "/big.iso", offset: 0, bytes: 4500, ms: 3000, outcome: "ok" }, 63_000);
    meter.sample([], 64_000);
    expect(meter.rates.server).toEqual({ in: 0, out: 0 });
    expect(sum(meter.history("hour", 64_000)!.buckets)).toEqual({ in: 0, out: 4500 });
    expect(meter.tables.user.get("carol")!.downloads).toEqual({ files: 1, bytes: 4500 });
    // One history slot: the busier key takes it over.
    const dave = fakeSession("192.0.2.10", "dave");
    meter.transferEnded({ session: dave, direction: "upload", path: "/x", offset: 0, bytes: 100, ms: 1, outcome: "ok" }, 65_000);
    expect([...meter.histories.user.keys()]).toEqual(["carol"]);
    meter.transferEnded({ session: dave, direction: "upload", path: "/y", offset: 0, bytes: 9000, ms: 1, outcome: "ok" }, 66_000);
    expect([...meter.histories.user.keys()]).toEqual(["dave"]);
  });

  it("keeps its tables bounded, and failed logins of names that are no account out of the user table", async () => {
    const { ctx, exposed } = fakeContext(hitOMeter, { maxKeys: 1000 });
    await hitOMeter.setup!(ctx);
    for (let i = 0; i < 5000; i++) {
      const session = fakeSession(`10.0.${i >> 8}.${i & 255}`);
      hitOMeter.onConnect!({ session });
      hitOMeter.onLoginResult!({ session, user: `guess${i}`, ok: false, reason: "unknown-user" });
    }
    const api = exposed() as HitOMeterApi;
    const ips = api.top("ip", 10_000);
    expect(ips).toHaveLength(1000);
    // The newest stay: 10.0.19.135 is address 4,999.
    expect(ips.some((r) => r.key === "10.0.19.135")).toBe(true);
    expect(ips.some((r) => r.key === "10.0.0.0")).toBe(false);
    expect(api.top("user")).toEqual([]);
    expect(api.metrics()).toContain('ftpi_hitometer_tracked_keys{kind="ip"} 1000');
  });
});
