import { createHook } from "node:async_hooks";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import autoban, { type AutobanApi, type BanView } from "../../plugins/autoban/index.ts";
import { AddressKeys } from "../../plugins/autoban/address-key.ts";
import { BanList } from "../../plugins/autoban/ban-list.ts";
import { ControlClient } from "../support/control.ts";
import type { TestServer } from "../support/server.ts";
import { sleep, waitFor } from "../support/wait.ts";
import { fakeContext, fakeSession, pluginRoutes, startWithBuiltins, tempDataDir } from "./support.ts";

let servers: TestServer[] = [];
let clients: ControlClient[] = [];
afterEach(async () => {
  for (const c of clients) c.close();
  clients = [];
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(options: Record<string, unknown>, dataDir?: string): Promise<TestServer> {
  const t = await startWithBuiltins([{ name: "autoban", options }], dataDir ? { options: { dataDir } } : {});
  servers.push(t);
  return t;
}

async function connect(t: TestServer, localAddress?: string): Promise<ControlClient> {
  const c = await ControlClient.connect(t.port, "127.0.0.1", localAddress);
  clients.push(c);
  return c;
}

const api = (t: TestServer) => t.server.host.apis.get("autoban") as AutobanApi;
const bansOf = async (t: TestServer) => (await (await pluginRoutes(t.server).request("/plugins/autoban/api/bans")).json()) as BanView[];
const closed = (c: ControlClient) => waitFor(() => c.closed, "the server to close the connection");

/** A USER alice / PASS with a wrong password; the PASS reply. */
async function badLogin(c: ControlClient) {
  await c.send("USER alice");
  return c.send("PASS wrong");
}

/** Opens connections from 127.0.0.1 until one is refused; returns how many were greeted. */
async function hammerConnections(t: TestServer, max = 50): Promise<{ greeted: number; refusal: string }> {
  for (let greeted = 0; greeted < max; greeted++) {
    const c = await connect(t);
    const hello = await c.read();
    if (hello.code !== 220) {
      await closed(c);
      return { greeted, refusal: hello.text };
    }
    c.close();
  }
  throw new Error(`no connection refused in ${max}`);
}

describe("autoban over real sockets", () => {
  it("bans a client hammering bad passwords across connections, refusing it with 421 at connect, while an allow-listed client keeps working", async () => {
    const t = await serve({ allow: ["127.0.0.2/32"], banTime: 60 });
    const good = await connect(t, "127.0.0.2");
    await good.login();
    // The allow-listed address fails as often as it likes without a ban.
    const clumsy = await connect(t, "127.0.0.2");
    await clumsy.read();
    for (let i = 0; i < 3; i++) expect((await badLogin(clumsy)).code).toBe(530);

    // Three failures on the first connection (the server closes it after its third)…
    const first = await connect(t);
    expect((await first.read()).code).toBe(220);
    for (let i = 0; i < 3; i++) expect((await badLogin(first)).code).toBe(530);
    await closed(first);
    // …and two more on a second one make five within a minute.
    const second = await connect(t);
    expect((await second.read()).code).toBe(220);
    for (let i = 0; i < 2; i++) expect((await badLogin(second)).code).toBe(530);
    await waitFor(() => api(t).isBanned("127.0.0.1"), "the ban");

    // The connection still open is cut at its next login, even with the right password.
    await second.send("USER alice");
    const cut = await second.send("PASS secret");
    expect(cut.code).toBe(421);
    expect(cut.text).toContain("banned until");
    await closed(second);

    // A new connection is refused before the greeting.
    const third = await connect(t);
    const refused = await third.read();
    expect(refused.code).toBe(421);
    await closed(third);

    const [ban, ...others] = await bansOf(t);
    expect(others).toEqual([]);
    expect(ban).toMatchObject({ address: "127.0.0.1", reason: "5 failed logins in 60 s", strikes: 1 });
    expect(Date.parse(ban!.until) - Date.now()).toBeGreaterThan(55_000);

    // Meanwhile the allow-listed client goes on, and can still log in anew.
    expect((await good.send("PWD")).code).toBe(257);
    const again = await connect(t, "127.0.0.2");
    await again.login();
    expect(api(t).isBanned("127.0.0.2")).toBe(false);
  });

  it("bans a client opening connections too fast", async () => {
    const t = await serve({ maxConnections: 5, connectionWindow: 10, banTime: 60 });
    const { greeted, refusal } = await hammerConnections(t);
    expect(greeted).toBe(5);
    expect(refusal).toMatch(/^421 .*banned until/);
    expect((await bansOf(t))[0]).toMatchObject({ address: "127.0.0.1", reason: "more than 5 connections in 10 s", strikes: 1 });
    // Refused attempts cost a lookup, not a counter.
    const before = api(t).tracked();
    for (let i = 0; i < 5; i++) {
      const c = await connect(t);
      expect((await c.read()).code).toBe(421);
    }
    expect(api(t).tracked()).toEqual(before);
  });

  it("refuses a banned address before any session exists, with no timer per attempt", async () => {
    const t = await serve({ maxConnections: 5, connectionWindow: 10, banTime: 60 });
    await hammerConnections(t);
    expect(api(t).isBanned("127.0.0.1")).toBe(true);
    await sleep(2500); // the hammering's own sockets are swept
    const sessionsBefore = t.server.sessionInfos().length;
    // Raw sockets and no timers on the client side: every Timeout created now is the server's.
    let timeouts = 0;
    let sessionsSeen = 0;
    const hook = createHook({
      init(_id, type) {
        if (type === "Timeout") timeouts++;
      },
    }).enable();
    try {
      for (let i = 0; i < 200; i++) {
        const reply = await new Promise<string>((resolve, reject) => {
          const socket = net.connect(t.port, "127.0.0.1");
          let text = "";
          socket.on("data", (d) => {
            text += d;
            if (text.includes("\r\n")) {
              sessionsSeen = Math.max(sessionsSeen, t.server.sessionInfos().length - sessionsBefore);
              socket.destroy();
              resolve(text);
            }
          });
          socket.once("error", reject);
        });
        expect(reply).toMatch(/^421 .*banned until/);
      }
    } finally {
      hook.disable();
    }
    expect(sessionsSeen).toBe(0);
    // The server's one sweep timer may be re-armed; 200 attempts must not mean 200 timers.
    expect(timeouts).toBeLessThan(5);
  });

  it("keeps a ban across a restart, and a ban ends on time", async () => {
    const dataDir = await tempDataDir();
    const t = await serve({ maxConnections: 3, banTime: 1.5 }, dataDir);
    await hammerConnections(t);
    // Closed at once, before the debounced save: the close-time save keeps it.
    await t.close();
    servers = [];

    const restarted = await serve({ maxConnections: 3, banTime: 1.5 }, dataDir);
    const c = await connect(restarted);
    expect((await c.read()).code).toBe(421);
    const [ban] = await bansOf(restarted);
    expect(ban).toMatchObject({ address: "127.0.0.1", strikes: 1 });

    await sleep(Date.parse(ban!.until) - Date.now() + 100);
    expect(await bansOf(restarted)).toEqual([]);
    const back = await connect(restarted);
    expect((await back.read()).code).toBe(220);
  });

  it("escalates: a repeat offender's ban lasts multiplier times longer, up to the cap", async () => {
    const t = await serve({ maxConnections: 2, banTime: 0.5, banMultiplier: 4, maxBanTime: 1.5 });
    await hammerConnections(t);
    const [first] = await bansOf(t);
    expect(first!.strikes).toBe(1);
    expect(Date.parse(first!.until) - Date.now()).toBeLessThanOrEqual(500);

    await sleep(Date.parse(first!.until) - Date.now() + 50);
    await hammerConnections(t);
    const [second] = await bansOf(t);
    expect(second!.strikes).toBe(2);
    // 0.5 s × 4 = 2 s, capped at 1.5 s.
    const left = Date.parse(second!.until) - Date.now();
    expect(left).toBeGreaterThan(1200);
    expect(left).toBeLessThanOrEqual(1500);
  });

  it("lists, adds and lifts bans over the JSON API and the HTML panel", async () => {
    const t = await serve({});
    const app = pluginRoutes(t.server);
    const post = (body: unknown) =>
      app.request("/plugins/autoban/api/bans", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

    const added = await post({ address: "127.0.0.1", minutes: 10, reason: "testing" });
    expect(added.status).toBe(201);
    expect(await added.json()).toMatchObject({ address: "127.0.0.1", reason: "testing", strikes: 1 });
    expect((await post({ address: "2001:db8:1:2::77", minutes: 1 })).status).toBe(201);
    expect((await post({ address: "10.0.0.0/8", minutes: 1 })).status).toBe(400);
    expect((await post({ address: "nonsense", minutes: 1 })).status).toBe(400);
    expect((await post({ address: "127.0.0.9", minutes: -1 })).status).toBe(400);

    const c = await connect(t);
    expect((await c.read()).code).toBe(421);
    expect((await bansOf(t)).map((b) => b.address).sort()).toEqual(["127.0.0.1", "2001:db8:1:2::/64"]);

    const panel = await (await app.request("/plugins/autoban")).text();
    expect(panel).toContain("<!DOCTYPE html>");
    expect(panel).toContain("2001:db8:1:2::/64");
    expect(panel).toMatch(/<form method="post" action="\/plugins\/autoban\/lift">.*?name="address" value="127.0.0.1"/s);

    const lifted = await app.request(`/plugins/autoban/api/bans/${encodeURIComponent("2001:db8:1:2::/64")}`, { method: "DELETE" });
    expect(lifted.status).toBe(204);
    expect((await app.request(`/plugins/autoban/api/bans/${encodeURIComponent("2001:db8:1:2::/64")}`, { method: "DELETE" })).status).toBe(404);

    const form = (path: string, fields: Record<string, string>) =>
      app.request(path, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });
    const liftForm = await form("/plugins/autoban/lift", { address: "127.0.0.1" });
    expect(liftForm.status).toBe(303);
    expect(liftForm.headers.get("location")).toBe("/plugins/autoban");
    expect(await bansOf(t)).toEqual([]);
    const back = await connect(t);
    expect((await back.read()).code).toBe(220);

    const banForm = await form("/plugins/autoban/ban", { address: "192.0.2.1", minutes: "5", reason: "" });
    expect(banForm.status).toBe(303);
    expect((await bansOf(t))[0]).toMatchObject({ address: "192.0.2.1", reason: "banned by admin" });
    const badForm = await form("/plugins/autoban/ban", { address: "not an address", minutes: "5" });
    expect(badForm.status).toBe(400);
    expect(await badForm.text()).toContain("is not an IP address");
  });
});

describe("autoban's parts", () => {
  it("keys IPv6 clients by their /64 (or the configured prefix), IPv4 by address", () => {
    const keys = new AddressKeys([], 64);
    expect(keys.keyOf("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(keys.keyOf("2001:db8:1:2:bbbb:cccc:dddd:eeee")).toBe("2001:db8:1:2::/64");
    expect(keys.keyOf("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    expect(keys.keyOf("::ffff:192.0.2.4")).toBe("192.0.2.4");
    expect(keys.keyOf("192.0.2.4")).toBe("192.0.2.4");
    expect(keys.keyOf("unknown")).toBeNull();
    expect(new AddressKeys([], 48).keyOf("2001:db8:1:2::1")).toBe("2001:db8:1::/48");
    const allowing = new AddressKeys(["127.0.0.2/32", "2001:db8:9::/48"], 64);
    expect(allowing.keyOf("127.0.0.2")).toBeNull();
    expect(allowing.keyOf("2001:db8:9:1::1")).toBeNull();
    expect(allowing.keyOf("127.0.0.1")).toBe("127.0.0.1");

    expect(keys.keyOfAdminInput("2001:db8:1:2::/64")).toBe("2001:db8:1:2::/64");
    expect(keys.keyOfAdminInput("2001:db8:1:2:0:0:0:0/64")).toBe("2001:db8:1:2::/64");
    expect(keys.keyOfAdminInput("2001:db8:1:2::99")).toBe("2001:db8:1:2::/64");
    expect(keys.keyOfAdminInput(" 192.0.2.4/32 ")).toBe("192.0.2.4");
    expect(() => keys.keyOfAdminInput("2001:db8::/32")).toThrow(/ipFilter\.deny/);
    expect(() => keys.keyOfAdminInput("192.0.2.0/24")).toThrow(/ipFilter\.deny/);
  });

  it("bans a whole IPv6 /64 through the hooks", async () => {
    const { ctx, exposed } = fakeContext(autoban, { maxLoginFailures: 3 });
    await autoban.setup!(ctx);
    const ban = exposed() as AutobanApi;
    // Three failures from three addresses of one /64 are one client's three failures.
    for (const ip of ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::3"]) {
      autoban.onLoginResult!({ session: fakeSession(ip), user: "alice", ok: false, reason: "bad-password" });
    }
    expect(ban.bans().map((b) => b.address)).toEqual(["2001:db8:1:2::/64"]);
    expect(await autoban.onConnect!({ session: fakeSession("2001:db8:1:2:abcd::9") })).toMatchObject({ code: 421, close: true });
    expect(await autoban.onConnect!({ session: fakeSession("2001:db8:1:3::1") })).toBeUndefined();
    // Reasons that are no guess at a password do not count.
    for (let i = 0; i < 5; i++) autoban.onLoginResult!({ session: fakeSession("192.0.2.50"), user: "bob", ok: false, reason: "limit" });
    expect(ban.isBanned("192.0.2.50")).toBe(false);
    // Failed status-page logins do.
    for (let i = 0; i < 3; i++) autoban.onLoginResult!({ session: fakeSession("192.0.2.51"), user: "admin(web)", ok: false, reason: "web" });
    expect(ban.isBanned("192.0.2.51")).toBe(true);
  });

  it("escalates ×multiplier per strike up to the cap, and forgets strikes after strikeMemory", () => {
    let now = 1_000_000;
    const list = new BanList({ banMs: 300_000, multiplier: 4, maxBanMs: 86_400_000, strikeMemoryMs: 3_600_000, maxRecords: 100 }, () => now);
    const terms: number[] = [];
    for (let i = 0; i < 6; i++) {
      const ban = list.strike("192.0.2.1", "test");
      terms.push(ban.until - now);
      expect(list.active("192.0.2.1")).toBe(ban);
      now = ban.until + 1000;
      expect(list.active("192.0.2.1")).toBeUndefined();
    }
    expect(terms).toEqual([300_000, 1_200_000, 4_800_000, 19_200_000, 76_800_000, 86_400_000]);
    now += 3_600_000;
    expect(list.strike("192.0.2.1", "test")).toMatchObject({ strikes: 1, until: now + 300_000 });
    now += 300_000 + 3_600_001;
    expect(list.sweep()).toBe(true);
    expect(list.size).toBe(0);
  });

  it("stays bounded under a scan from 50,000 addresses", async () => {
    const { ctx, exposed } = fakeContext(autoban, { maxConnections: 3, maxLoginFailures: 2 });
    await autoban.setup!(ctx);
    const ban = exposed() as AutobanApi;
    for (let i = 0; i < 50_000; i++) {
      const session = fakeSession(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
      await autoban.onConnect!({ session });
      autoban.onLoginResult!({ session, user: "root", ok: false, reason: "unknown-user" });
    }
    expect(ban.tracked()).toEqual({ loginFailures: 10_000, connections: 10_000, bans: 0 });
    // Every one of them failing twice more: 50,000 bans, of which the newest 10,000 are kept.
    for (let i = 0; i < 50_000; i++) {
      const session = fakeSession(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
      autoban.onLoginResult!({ session, user: "root", ok: false, reason: "unknown-user" });
      autoban.onLoginResult!({ session, user: "root", ok: false, reason: "unknown-user" });
    }
    const tracked = ban.tracked();
    expect(tracked.bans).toBe(10_000);
    expect(tracked.loginFailures).toBeLessThanOrEqual(10_000);
    expect(ban.isBanned("10.0.195.79")).toBe(true); // address 49,999
  });
});
