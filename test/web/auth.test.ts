import { afterEach, describe, expect, it } from "vitest";
import type { LoginResultEvent } from "../../core/hooks/types.ts";
import { waitFor } from "../support/wait.ts";
import type { AutobanApi } from "../../plugins/autoban/index.ts";
import { ADMIN_PASSWORD, basic, browserLogin, CLIENT, cookieFrom, setCookieLine, startWeb, type WebFixture } from "./support.ts";

let web: WebFixture;
afterEach(async () => web?.close());

describe("who may see what", () => {
  it("/healthz and the login form's assets are public; everything else needs the admin", async () => {
    web = await startWeb();
    expect(await (await web.request("/healthz")).text()).toBe("ok");
    expect((await web.request("/assets/style.css")).status).toBe(200);
    expect((await web.request("/favicon.svg")).headers.get("content-type")).toBe("image/svg+xml");

    const page = await web.request("/sessions", { headers: { accept: "text/html" } });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/login?next=%2Fsessions");

    for (const path of ["/api/status", "/api/sessions", "/api/transfers", "/metrics"]) {
      const res = await web.request(path);
      expect(res.status, path).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Basic realm="ftpi status"/);
    }
    expect((await web.request("/events?regions=badge")).status).not.toBe(200);
    expect((await web.request("/api/sessions/x/kick", { method: "POST" })).status).toBe(401);
  });

  it("takes HTTP Basic (user admin) on /api, /plugins and /metrics, but not on the pages", async () => {
    web = await startWeb();
    expect((await web.asAdmin("/api/status")).status).toBe(200);
    expect((await web.asAdmin("/metrics")).status).toBe(200);
    expect((await web.request("/api/status", { headers: { authorization: basic(ADMIN_PASSWORD, "root") } })).status).toBe(401);
    const page = await web.asAdmin("/", { headers: { accept: "text/html" } });
    expect(page.status).toBe(303);
  });

  it("sends security headers", async () => {
    web = await startWeb();
    const res = await web.request("/login");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("login form", () => {
  it("sets an HttpOnly, SameSite=Strict session cookie and a new id on every login", async () => {
    web = await startWeb();
    const first = await browserLogin(web);
    expect(first.response.status).toBe(303);
    expect(first.response.headers.get("location")).toBe("/sessions");
    const line = setCookieLine(first.response, "ftpi_admin")!;
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/SameSite=Strict/);
    expect(line).toMatch(/Path=\//);
    expect(first.cookie.length).toBeGreaterThan(40);

    const overview = await web.request("/", { headers: { cookie: first.cookie } });
    expect(overview.status).toBe(200);
    expect(await overview.text()).toContain("Post your FTP info");

    const second = await browserLogin(web);
    expect(second.cookie).not.toBe(first.cookie);
    expect(second.csrf).not.toBe(first.csrf);
  });

  it("refuses a wrong password, a form from elsewhere and an open redirect", async () => {
    web = await startWeb();
    const wrong = await browserLogin(web, "guess");
    expect(wrong.response.status).toBe(401);
    expect(await wrong.response.text()).toContain("Wrong password.");
    expect(cookieFrom(wrong.response, "ftpi_admin")).toBeUndefined();

    // No ftpi_login cookie: the form was not loaded by this browser.
    const forged = await web.request("/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: "x", user: "admin", password: ADMIN_PASSWORD }).toString(),
    });
    expect(forged.status).toBe(403);
    expect(cookieFrom(forged, "ftpi_admin")).toBeUndefined();

    const crossSite = await web.request("/login", { method: "POST", headers: { "sec-fetch-site": "cross-site" } });
    expect(crossSite.status).toBe(403);

    const form = await web.request("/login?next=//evil.example/x");
    expect(await form.text()).toContain('name="next" value="/"');
  });

  it("logs out on POST /logout with the CSRF token, and the old cookie stops working", async () => {
    web = await startWeb();
    const { cookie, csrf } = await browserLogin(web);
    const out = await web.request("/logout", {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" },
      body: `csrf=${encodeURIComponent(csrf)}`,
    });
    expect(out.status).toBe(303);
    expect((await web.request("/api/status", { headers: { cookie } })).status).toBe(401);
  });

  it("expires idle sessions", async () => {
    web = await startWeb({ app: { adminSessions: { idleMs: 50 } } });
    const { cookie } = await browserLogin(web);
    expect((await web.request("/api/status", { headers: { cookie } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 120));
    expect((await web.request("/api/status", { headers: { cookie } })).status).toBe(401);
  });
});

describe("CSRF", () => {
  async function kick(headers: Record<string, string>, body?: string) {
    return web.request("/api/sessions/nobody/kick", { method: "POST", headers, body });
  }

  it("a cookie POST needs the session's token and our own origin", async () => {
    web = await startWeb();
    const { cookie, csrf } = await browserLogin(web);
    const form = { cookie, "content-type": "application/x-www-form-urlencoded" };
    expect((await kick({ cookie, "sec-fetch-site": "same-origin" })).status).toBe(403);
    expect((await kick({ ...form, "sec-fetch-site": "same-origin" }, "csrf=wrong")).status).toBe(403);
    expect((await kick({ ...form, "sec-fetch-site": "cross-site" }, `csrf=${csrf}`)).status).toBe(403);
    expect((await kick({ ...form, origin: "http://evil.example" }, `csrf=${csrf}`)).status).toBe(403);
    // Right token and origin: the request goes through (and finds no such session).
    expect((await kick({ ...form, "sec-fetch-site": "same-origin", origin: "http://localhost" }, `csrf=${csrf}`)).status).toBe(404);
    expect((await kick({ cookie, "x-csrf-token": csrf, "sec-fetch-site": "same-origin" })).status).toBe(404);
  });

  it("a Basic-auth POST needs no token, but a browser's cross-site one is still refused", async () => {
    web = await startWeb();
    expect((await kick({ authorization: basic() })).status).toBe(404);
    expect((await kick({ authorization: basic(), "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await kick({ authorization: basic(), origin: "https://evil.example" })).status).toBe(403);
  });
});

describe("failed admin logins", () => {
  it("are slowed, then locked out, and reach plugins as onLoginResult (user admin(web), reason web)", async () => {
    const events: LoginResultEvent[] = [];
    web = await startWeb({ plugins: [{ name: "spy", onLoginResult: (e) => void events.push(e) }] });
    for (let i = 0; i < 4; i++) {
      expect((await web.request("/api/status", { headers: { authorization: basic("nope") } })).status).toBe(401);
    }
    const locked = await web.request("/api/status", { headers: { authorization: basic() } });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    const form = await browserLogin(web);
    expect(form.response.status).toBe(429);

    await waitFor(() => events.length === 4, "four onLoginResult events");
    expect(events[0]).toMatchObject({ user: "admin(web)", ok: false, reason: "web", session: { remoteAddress: "192.0.2.7" } });
    expect(web.ftp.logs.some((l) => l.includes("admin login failed"))).toBe(true);
    // Never the password in the log.
    expect(web.ftp.logs.some((l) => l.includes("nope"))).toBe(false);
  });
});

describe("metrics token", () => {
  it("lets a bearer token read /metrics only", async () => {
    web = await startWeb({ app: { metricsToken: "0123456789abcdef0123" } });
    const bearer = { authorization: "Bearer 0123456789abcdef0123" };
    expect((await web.request("/metrics", { headers: bearer })).status).toBe(200);
    expect((await web.request("/api/status", { headers: bearer })).status).toBe(401);
    expect((await web.request("/metrics", { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
  });
});

describe("autoban's bans", () => {
  const autobanOf = (w: WebFixture) => w.ftp.server.host.apis.get("autoban") as AutobanApi;

  it("shut the status page to a banned address (login form and Basic too); /healthz and other addresses stay", async () => {
    web = await startWeb({ builtins: [{ name: "autoban", options: { maxLoginFailures: 3 } }], app: { throttle: { failureDelayMs: 1, maxFailures: 100 } } });
    // A browser logged in before the ban: its session must not outlive it.
    const before = await browserLogin(web);
    expect(before.cookie).not.toBe("");

    // Failed admin logins count toward autoban (reason "web"), and the third earns a ban.
    for (let i = 0; i < 3; i++) expect((await web.request("/api/status", { headers: { authorization: basic("guess") } })).status).toBe(401);
    await waitFor(() => autobanOf(web).isBanned(CLIENT.remoteAddress), "the ban on the client");

    const api = await web.asAdmin("/api/status");
    expect(api.status).toBe(403);
    expect(((await api.json()) as { error: string }).error).toMatch(/^Your address is banned by autoban \(too many failed logins or connections\) until \d{4}-/);
    const retryAfter = Number(api.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(200);
    expect(retryAfter).toBeLessThanOrEqual(300); // a first ban: banTime, 300 s by default

    const form = await web.request("/login", { headers: { accept: "text/html" } });
    expect(form.status).toBe(403);
    expect(await form.text()).toMatch(/^Your address is banned by autoban/);
    // The right password through the form is refused before it is checked.
    expect((await browserLogin(web)).response.status).toBe(403);
    expect((await web.request("/", { headers: { cookie: before.cookie, accept: "text/html" } })).status).toBe(403);
    expect((await web.asAdmin("/plugins/autoban/api/bans")).status).toBe(403);
    expect((await web.asAdmin("/metrics")).status).toBe(403);
    // Health checks stay open; other addresses are not concerned.
    expect(await (await web.request("/healthz")).text()).toBe("ok");
    const other = await web.app.request("/api/status", { headers: { authorization: basic() } }, { remoteAddress: "192.0.2.8" });
    expect(other.status).toBe(200);

    // Lifted (from another address), the client is back, with the session it had.
    const lift = await web.app.request(`/plugins/autoban/api/bans/${CLIENT.remoteAddress}`, { method: "DELETE", headers: { authorization: basic() } }, { remoteAddress: "192.0.2.8" });
    expect(lift.status).toBe(204);
    expect((await web.asAdmin("/api/status")).status).toBe(200);
    expect((await web.request("/", { headers: { cookie: before.cookie } })).status).toBe(200);
  });

  it("a ban made on the FTP side, or by the admin, applies to the status page too", async () => {
    web = await startWeb({ builtins: [{ name: "autoban" }] });
    autobanOf(web).ban(CLIENT.remoteAddress, 60, "port scanner");
    const res = await web.asAdmin("/api/sessions");
    expect(res.status).toBe(403);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(50);
    expect(Number(res.headers.get("retry-after"))).toBeLessThanOrEqual(60);
  });

  it("without autoban loaded, nobody is refused for a ban", async () => {
    web = await startWeb({ plugins: [{ name: "autoban-lookalike", setup: (ctx) => ctx.expose({ isBanned: () => true }) }] });
    expect((await web.asAdmin("/api/status")).status).toBe(200);
  });
});
