import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Hono } from "hono";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FtpServer, StateStore } from "../../core/index.ts";
import ddns, { backoffDelay, type DdnsApi, type DdnsProvider } from "../../plugins/ddns/index.ts";
import { PublicAddressLookup } from "../../plugins/ddns/lookup.ts";
import { createProvider, type ProviderConfig } from "../../plugins/ddns/providers/index.ts";
import { DdnsUpdater, type SavedState } from "../../plugins/ddns/updater.ts";
import { USER_AGENT } from "../../plugins/ddns/user-agent.ts";
import { ControlClient } from "../support/control.ts";
import { FakeDdnsServices } from "../support/ddns-services.ts";
import { freePort } from "../support/process.ts";
import { startServer, type TestServer } from "../support/server.ts";

let services: FakeDdnsServices;
beforeAll(async () => {
  services = await new FakeDdnsServices().start();
});
afterAll(() => services.close());
beforeEach(() => {
  services.seen.length = 0;
  services.publicIp = "203.0.113.10";
  services.dyndns2Answer = (ip) => `good ${ip}`;
  services.dyndns2Status = 200;
  services.duckAnswer = "OK";
  services.cfRecords = [];
  services.cfFailure = null;
});

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const DAY = 86_400_000;

function memoryStore(): StateStore<SavedState> & { value: SavedState | undefined } {
  const store = {
    value: undefined as SavedState | undefined,
    load: async () => (store.value ? (structuredClone(store.value) as SavedState) : undefined),
    save: async (v: SavedState) => void (store.value = structuredClone(v)),
  };
  return store;
}

const dyndns2 = (overrides: Partial<ProviderConfig> = {}): ProviderConfig =>
  ({ type: "dyndns2", server: services.url, hostnames: ["myhost.ddns.net"], username: "user", password: "pass", ipv6: false, ...overrides }) as ProviderConfig;
const duckdns = (overrides: Partial<ProviderConfig> = {}): ProviderConfig =>
  ({ type: "duckdns", server: `${services.url}/duck`, domains: ["myhost.duckdns.org"], token: "tok", ipv6: false, ...overrides }) as ProviderConfig;
const cloudflare = (overrides: Partial<ProviderConfig> = {}): ProviderConfig =>
  ({ type: "cloudflare", apiBase: `${services.url}/cf`, zoneId: "zone1", record: "ftp.example.com", token: "cf-token", ttl: 1, proxied: false, ipv6: false, ...overrides }) as ProviderConfig;

/** An updater on the fake services with a clock the test moves. */
function makeUpdater(opts: { providers?: ProviderConfig[]; store?: ReturnType<typeof memoryStore>; lookup?: string[]; ipv6?: boolean; fixed4?: string } = {}) {
  const clock = { now: Date.parse("2024-01-01T12:00:00Z") };
  const store = opts.store ?? memoryStore();
  const updater = new DdnsUpdater(
    {
      fixed: { ipv4: opts.fixed4 ?? null, ipv6: null },
      lookupIpv6: opts.ipv6 ?? false,
      checkIntervalMs: 300_000,
      forceRefreshMs: 25 * DAY,
      retryFirstMs: 60_000,
      retryMaxMs: 3_600_000,
      timeoutMs: 2000,
      userAgent: USER_AGENT,
    },
    {
      lookup: new PublicAddressLookup({ ipv4: opts.lookup ?? [`${services.url}/ip`], ipv6: [`${services.url}/ip6`] }, { timeoutMs: 500, userAgent: USER_AGENT }),
      store,
      log: silent,
      now: () => clock.now,
    },
  );
  return {
    updater,
    clock,
    store,
    async start() {
      await updater.load();
      for (const p of opts.providers ?? []) updater.addProvider(createProvider(p));
      return this;
    },
  };
}

const providerCalls = () => services.seen.filter((r) => !r.path.startsWith("/ip"));

describe("finding the public address", () => {
  it("falls back from endpoints that fail, time out or answer no IP, and asks the one that worked first next time", async () => {
    const lookup = new PublicAddressLookup(
      { ipv4: [`${services.url}/ip-broken`, `${services.url}/ip-garbage`, `${services.url}/ip-slow`, `${services.url}/ip6`, `${services.url}/ip`], ipv6: [`${services.url}/ip`, `${services.url}/ip6`] },
      { timeoutMs: 1500, userAgent: USER_AGENT },
    );
    const found = await lookup.find(4);
    expect(found.address).toBe("203.0.113.10");
    expect(found.source).toBe(`${services.url}/ip`);
    expect(found.errors).toEqual([
      `${services.url}/ip-broken: HTTP 500`,
      `${services.url}/ip-garbage: "<html>your" is not an IPv4 address`,
      `${services.url}/ip-slow: no answer within 1500 ms`,
      `${services.url}/ip6: "2001:db8::10" is not an IPv4 address`,
    ]);
    services.seen.length = 0;
    expect((await lookup.find(4)).address).toBe("203.0.113.10");
    expect(services.seen.map((r) => r.path)).toEqual(["/ip"]);
    // IPv6: an IPv4 answer is refused, the next endpoint gives the IPv6 address.
    expect((await lookup.find(6)).address).toBe("2001:db8::10");
    expect(services.seen.every((r) => /^ftpi\/\d+\.\d+\.\d+ \([^)]+\)$/.test(r.headers["user-agent"] ?? ""))).toBe(true);
  });

  it("sends nothing when no endpoint answers, and keeps the last known address", async () => {
    const { updater } = await makeUpdater({ providers: [dyndns2()], lookup: [`${services.url}/ip-broken`] }).start();
    const status = await updater.checkNow();
    expect(status.addresses.ipv4).toBeNull();
    expect(status.lookupError).toContain("HTTP 500");
    expect(providerCalls()).toHaveLength(0);
  });

  it("takes a fixed address from the config without asking anyone", async () => {
    const u = await makeUpdater({ providers: [dyndns2()], fixed4: "198.51.100.77" }).start();
    const status = await u.updater.checkNow();
    expect(status.addresses.ipv4).toBe("198.51.100.77");
    expect(status.sources.ipv4).toBe("config");
    expect(services.seen.map((r) => r.path)).toEqual(["/nic/update"]);
    expect(services.seen[0]!.query.get("myip")).toBe("198.51.100.77");
  });
});

describe("dyndns2 (No-IP, Dyn)", () => {
  it("sends hostname and myip with Basic auth and a User-Agent, only when the address changed or the refresh is due", async () => {
    const u = await makeUpdater({ providers: [dyndns2({ hostnames: ["a.ddns.net", "b.ddns.net"] } as never)] }).start();
    services.dyndns2Answer = (ip) => `good ${ip}\ngood ${ip}`;
    let status = await u.updater.checkNow();
    const [first] = providerCalls();
    expect(first!.query.get("hostname")).toBe("a.ddns.net,b.ddns.net");
    expect(first!.query.get("myip")).toBe("203.0.113.10");
    expect(first!.headers.authorization).toBe(`Basic ${Buffer.from("user:pass").toString("base64")}`);
    expect(first!.headers["user-agent"]).toBe(USER_AGENT);
    expect(status.providers[0]).toMatchObject({ name: "dyndns2 a.ddns.net, b.ddns.net", stopped: false, lastResult: { status: "ok", code: "good" }, addresses: { ipv4: "203.0.113.10", ipv6: null } });

    u.clock.now += 600_000;
    await u.updater.checkNow();
    expect(providerCalls()).toHaveLength(1); // same address: nothing sent

    services.publicIp = "203.0.113.20";
    u.clock.now += 600_000;
    services.dyndns2Answer = "nochg 203.0.113.20";
    status = await u.updater.checkNow();
    expect(providerCalls()).toHaveLength(2);
    expect(providerCalls()[1]!.query.get("myip")).toBe("203.0.113.20");
    expect(status.providers[0]!.lastResult).toMatchObject({ status: "ok", code: "nochg" });

    u.clock.now += 24 * DAY;
    await u.updater.checkNow();
    expect(providerCalls()).toHaveLength(2);
    u.clock.now += 1 * DAY; // 25 days after the last update: free No-IP names would expire at 30
    status = await u.updater.checkNow();
    expect(providerCalls()).toHaveLength(3);
    expect(status.providers[0]!.lastUpdateAt).toBe(new Date(u.clock.now).toISOString());
  });

  it.each(["badauth", "nohost", "notfqdn", "abuse", "!donator", "badagent", "numhost"])("stops on %s until the configuration changes, across restarts", async (code) => {
    services.dyndns2Answer = code;
    const store = memoryStore();
    const u = await makeUpdater({ providers: [dyndns2()], store }).start();
    let status = await u.updater.checkNow();
    expect(status.providers[0]).toMatchObject({ stopped: true, retryAt: null, lastResult: { status: "fatal", code } });
    u.clock.now += 30 * DAY;
    services.publicIp = "203.0.113.99";
    await u.updater.checkNow({ force: true });
    expect(providerCalls()).toHaveLength(1);

    // A restart with the same configuration stays stopped.
    const again = await makeUpdater({ providers: [dyndns2()], store }).start();
    status = await again.updater.checkNow();
    expect(status.providers[0]).toMatchObject({ stopped: true, lastResult: { code } });
    expect(providerCalls()).toHaveLength(1);

    // A changed configuration (here the host names; as well the password) tries again.
    services.dyndns2Answer = (ip) => `good ${ip}`;
    const fixed = await makeUpdater({ providers: [dyndns2({ password: "pass", username: "user", hostnames: ["other.ddns.net"] } as never)], store }).start();
    status = await fixed.updater.checkNow();
    expect(providerCalls()).toHaveLength(2);
    expect(status.providers[0]).toMatchObject({ stopped: false, lastResult: { status: "ok", code: "good" } });
    expect(JSON.stringify(store.value)).not.toContain("pass\"");
  });

  it("answers a wrong password with badauth (HTTP 401) and stops", async () => {
    const u = await makeUpdater({ providers: [dyndns2({ password: "wrong" } as never)] }).start();
    const status = await u.updater.checkNow();
    expect(status.providers[0]).toMatchObject({ stopped: true, lastResult: { status: "fatal", code: "badauth" } });
  });

  it.each([
    ["dnserr", 0],
    ["911", 30 * 60_000],
  ])("backs off after %s, doubling up to a bound", async (code, atLeast) => {
    services.dyndns2Answer = code;
    const u = await makeUpdater({ providers: [dyndns2()] }).start();
    const start = u.clock.now;
    let status = await u.updater.checkNow();
    const delay1 = Math.max(60_000, atLeast);
    expect(status.providers[0]).toMatchObject({ stopped: false, failures: 1, lastResult: { status: "retry", code }, retryAt: new Date(start + delay1).toISOString() });
    expect(status.nextCheckAt).toBe(new Date(start + Math.min(delay1, 300_000)).toISOString());

    u.clock.now = start + delay1 - 1000;
    await u.updater.checkNow();
    expect(providerCalls()).toHaveLength(1); // not yet

    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      u.clock.now = Date.parse(status.providers[0]!.retryAt!);
      const before = u.clock.now;
      status = await u.updater.checkNow();
      delays.push(Date.parse(status.providers[0]!.retryAt!) - before);
    }
    expect(providerCalls()).toHaveLength(9);
    const expected = [2, 3, 4, 5, 6, 7, 8, 9].map((n) => Math.max(backoffDelay(n, 60_000, 3_600_000), atLeast));
    expect(delays).toEqual(expected);
    expect(Math.max(...delays)).toBe(3_600_000);

    services.dyndns2Answer = (ip) => `good ${ip}`;
    u.clock.now = Date.parse(status.providers[0]!.retryAt!);
    status = await u.updater.checkNow();
    expect(status.providers[0]).toMatchObject({ failures: 0, retryAt: null, lastResult: { status: "ok" } });
  });

  it("retries on network errors and unknown answers", async () => {
    const down = await makeUpdater({ providers: [dyndns2({ server: `http://127.0.0.1:${await freePort()}` } as never)] }).start();
    let status = await down.updater.checkNow();
    expect(status.providers[0]!.lastResult).toMatchObject({ status: "retry", code: "network" });
    expect(status.providers[0]!.lastResult!.message).toMatch(/ECONNREFUSED|refused/i);

    services.dyndns2Status = 502;
    services.dyndns2Answer = "<html>Bad gateway</html>";
    const weird = await makeUpdater({ providers: [dyndns2()] }).start();
    status = await weird.updater.checkNow();
    expect(status.providers[0]!.lastResult).toMatchObject({ status: "retry", code: "HTTP 502" });
  });

  it("sends myipv6 too when the provider is set to, and takes the worst of several answer lines", async () => {
    services.dyndns2Answer = "good 203.0.113.10\nnohost";
    const u = await makeUpdater({ providers: [dyndns2({ ipv6: true } as never)], ipv6: true }).start();
    const status = await u.updater.checkNow();
    expect(status.addresses).toEqual({ ipv4: "203.0.113.10", ipv6: "2001:db8::10" });
    expect(providerCalls()[0]!.query.get("myipv6")).toBe("2001:db8::10");
    expect(status.providers[0]).toMatchObject({ stopped: true, lastResult: { code: "nohost" } });
  });
});

describe("DuckDNS", () => {
  it("updates with domains, token and ip, answered OK", async () => {
    const u = await makeUpdater({ providers: [duckdns({ ipv6: true } as never)], ipv6: true }).start();
    const status = await u.updater.checkNow();
    const [call] = providerCalls();
    expect(call!.path).toBe("/duck/update");
    expect(Object.fromEntries(call!.query)).toEqual({ domains: "myhost", token: "tok", ip: "203.0.113.10", ipv6: "2001:db8::10" });
    expect(status.providers[0]).toMatchObject({ name: "duckdns myhost", hostnames: ["myhost.duckdns.org"], lastResult: { status: "ok", code: "OK" } });
  });

  it("stops on KO (a wrong token or domain)", async () => {
    services.duckAnswer = "KO";
    const u = await makeUpdater({ providers: [duckdns()] }).start();
    const status = await u.updater.checkNow();
    expect(status.providers[0]).toMatchObject({ stopped: true, lastResult: { status: "fatal", code: "KO" } });
  });
});

describe("Cloudflare", () => {
  it("creates the A record when missing, PATCHes it when the address changes, leaves it when it matches", async () => {
    const u = await makeUpdater({ providers: [cloudflare()] }).start();
    let status = await u.updater.checkNow();
    expect(services.cfRecords).toEqual([{ id: "rec1", type: "A", name: "ftp.example.com", content: "203.0.113.10" }]);
    expect(status.providers[0]!.lastResult).toMatchObject({ status: "ok", code: "created" });
    const post = providerCalls().find((r) => r.method === "POST")!;
    expect(post.headers.authorization).toBe("Bearer cf-token");
    expect(JSON.parse(post.body)).toEqual({ type: "A", name: "ftp.example.com", content: "203.0.113.10", ttl: 1, proxied: false });

    services.publicIp = "203.0.113.20";
    u.clock.now += 600_000;
    status = await u.updater.checkNow();
    const patch = providerCalls().find((r) => r.method === "PATCH")!;
    expect(patch.path).toBe("/cf/zones/zone1/dns_records/rec1");
    expect(JSON.parse(patch.body)).toEqual({ content: "203.0.113.20" });
    expect(services.cfRecords[0]!.content).toBe("203.0.113.20");
    expect(status.providers[0]!.lastResult).toMatchObject({ code: "updated" });

    u.clock.now += 26 * DAY;
    status = await u.updater.checkNow();
    expect(status.providers[0]!.lastResult).toMatchObject({ status: "ok", code: "unchanged" });
    expect(providerCalls().filter((r) => r.method !== "GET")).toHaveLength(2);
  });

  it("keeps an AAAA record too when asked", async () => {
    const u = await makeUpdater({ providers: [cloudflare({ ipv6: true } as never)], ipv6: true }).start();
    await u.updater.checkNow();
    expect(services.cfRecords.map((r) => `${r.type} ${r.content}`)).toEqual(["A 203.0.113.10", "AAAA 2001:db8::10"]);
  });

  it("stops on an error the API gives as JSON (bad token), retries on 5xx and 429", async () => {
    const bad = await makeUpdater({ providers: [cloudflare({ token: "wrong" } as never)] }).start();
    let status = await bad.updater.checkNow();
    expect(status.providers[0]).toMatchObject({ stopped: true, lastResult: { status: "fatal", code: "cloudflare 9109" } });
    expect(status.providers[0]!.lastResult!.message).toContain("Invalid access token");

    services.cfFailure = { status: 500, body: JSON.stringify({ success: false, errors: [{ code: 10000, message: "Internal error" }] }) };
    const busy = await makeUpdater({ providers: [cloudflare()] }).start();
    status = await busy.updater.checkNow();
    expect(status.providers[0]).toMatchObject({ stopped: false, failures: 1, lastResult: { status: "retry", code: "cloudflare 10000" } });

    services.cfFailure = { status: 429, body: "slow down" };
    const limited = await makeUpdater({ providers: [cloudflare()] }).start();
    status = await limited.updater.checkNow();
    expect(status.providers[0]!.lastResult).toMatchObject({ status: "retry", code: "HTTP 429" });
  });
});

describe("the ddns plugin in a running server", () => {
  let t: TestServer | null = null;
  let dataDir = "";
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "ftpi-ddns-"));
  });
  afterEach(async () => {
    await t?.close();
    t = null;
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  const start = (options: Record<string, unknown>, extraPlugins: Parameters<typeof startServer>[0] = {}) =>
    startServer({
      options: { dataDir, plugins: [{ name: "ddns", path: null, options: { ipv6: false, checkIntervalSeconds: 3600, lookup: { ipv4: [`${services.url}/ip-broken`, `${services.url}/ip`] }, ...options } }] },
      extras: { builtinPlugins: { ddns }, ...extraPlugins.extras },
    });
  const api = (server: FtpServer) => server.host.apis.get("ddns") as DdnsApi;
  const from = (remoteAddress: string, localAddress = "127.0.0.1") => ({ remoteAddress, localAddress }) as never;

  it("feeds PASV with the public address for internet clients, follows a change while sessions stay connected", async () => {
    t = await start({ providers: [{ type: "dyndns2", server: services.url, hostnames: ["myhost.ddns.net"], username: "user", password: "pass" }] });
    // Before the first lookup there is no address: the core falls back to the local one.
    expect(await t.server.passiveAddressFor(from("198.51.100.9"))).toBe("127.0.0.1");
    await api(t.server).checkNow();
    const c = await ControlClient.connect(t.port);
    await c.login();
    expect(await t.server.passiveAddressFor(from("198.51.100.9"))).toBe("203.0.113.10");
    expect(await t.server.passiveAddressFor(from("192.168.1.50", "192.168.1.2"))).toBe("192.168.1.2");
    expect((await c.send("PASV")).text).toMatch(/^227 .*\(127,0,0,1,\d+,\d+\)/);

    services.publicIp = "198.51.100.200";
    const status = await api(t.server).checkNow();
    expect(status.addresses.ipv4).toBe("198.51.100.200");
    expect(services.requests("/nic/update").map((r) => r.query.get("myip"))).toEqual(["203.0.113.10", "198.51.100.200"]);
    expect(await t.server.passiveAddressFor(from("198.51.100.9"))).toBe("198.51.100.200");
    expect(await t.server.passiveAddressFor(from("::ffff:10.0.0.8", "::ffff:10.0.0.1"))).toBe("10.0.0.1");
    // The session connected before the change goes on as before.
    expect(t.server.sessions.size).toBe(1);
    expect((await c.send("PASV")).code).toBe(227);
    expect((await c.send("NOOP")).code).toBe(200);
    c.close();
  });

  it("shows addresses, names, last check, last update and its result, next check (HTML and JSON)", async () => {
    t = await start({ providers: [{ type: "duckdns", server: `${services.url}/duck`, domains: ["myhost"], token: "tok" }] });
    await api(t.server).checkNow();
    const app = new Hono();
    for (const { plugin, mount } of t.server.host.webMounts) {
      const panel = new Hono();
      mount(panel);
      app.route(`/plugins/${plugin}`, panel);
    }
    const json = (await (await app.request("/plugins/ddns/api/status")).json()) as ReturnType<DdnsApi["status"]>;
    expect(json).toMatchObject({
      addresses: { ipv4: "203.0.113.10", ipv6: null },
      sources: { ipv4: `${services.url}/ip` },
      providers: [{ name: "duckdns myhost", hostnames: ["myhost.duckdns.org"], stopped: false, lastResult: { status: "ok", code: "OK" } }],
    });
    expect(Date.parse(json.nextCheckAt!) - Date.parse(json.lastCheckAt!)).toBe(3600_000);
    expect(json.providers[0]!.lastUpdateAt).toBe(json.providers[0]!.lastResult!.at);
    for (const url of ["/plugins/ddns", "/plugins/ddns/"]) {
      const html = await (await app.request(url)).text();
      expect(html).toContain("203.0.113.10");
      expect(html).toContain("myhost.duckdns.org");
      expect(html).toContain("OK: updated");
      expect(html).toContain("Next check");
    }
  });

  it("keeps a provider stopped across a restart with the same config; a changed config retries", async () => {
    const provider = (password: string) => ({ providers: [{ type: "dyndns2", server: services.url, hostnames: ["myhost.ddns.net"], username: "user", password }] });
    t = await start(provider("wrong"));
    expect((await api(t.server).checkNow()).providers[0]).toMatchObject({ stopped: true, lastResult: { code: "badauth" } });
    await t.close();
    t = await start(provider("wrong"));
    expect(api(t.server).status().providers[0]).toMatchObject({ stopped: true, lastResult: { code: "badauth" } });
    // The restored address serves PASV before any lookup.
    expect(await t.server.passiveAddressFor(from("198.51.100.9"))).toBe("203.0.113.10");
    await api(t.server).checkNow();
    expect(services.requests("/nic/update")).toHaveLength(1);
    await t.close();
    t = await start(provider("pass"));
    expect((await api(t.server).checkNow()).providers[0]).toMatchObject({ stopped: false, lastResult: { code: "good" } });
    expect(services.requests("/nic/update")).toHaveLength(2);
  });

  it("takes providers another plugin adds through its API", async () => {
    const calls: unknown[] = [];
    const custom: DdnsProvider = {
      name: "my-router",
      hostnames: ["home.example.net"],
      async update(addresses, context) {
        calls.push({ addresses, userAgent: context.userAgent, aborted: context.signal.aborted });
        return { status: "ok", code: "ok", message: "set" };
      },
    };
    t = await start({}, { extras: { plugins: [{ name: "router-dns", setup: (ctx) => ctx.use<DdnsApi>("ddns")!.addProvider(custom) }] } });
    const status = await api(t.server).checkNow();
    expect(calls).toEqual([{ addresses: { ipv4: "203.0.113.10", ipv6: null }, userAgent: USER_AGENT, aborted: false }]);
    expect(status.providers.map((p) => p.name)).toEqual(["my-router"]);
    expect(() => api(t!.server).addProvider(custom)).toThrow(/exists already/);
  });

  it("refuses a config with an unknown provider type or a typo, listing the problems", async () => {
    await expect(start({ providers: [{ type: "dyndns3" }, { type: "duckdns", domains: ["x"], tokn: "t" }], address: "not-an-ip" })).rejects.toThrow(
      /address[\s\S]*IPv4[\s\S]*providers\.0\.type[\s\S]*providers\.1/,
    );
  });
});
