import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import type net from "node:net";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AutobanApi } from "../../plugins/autoban/index.ts";
import { createStatusApp } from "../../web/app.tsx";
import { serveOnNode } from "../../web/serve/node.ts";
import type { RunningWebServer } from "../../web/serve/types.ts";
import { ControlClient, readAll } from "../support/control.ts";
import { account, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { ADMIN_PASSWORD, adminHash, basic } from "../web/support.ts";
import { connectDataFrom, startWithBuiltins } from "./support.ts";

/*
 * The built-in plugins inside the real status app: behind its login, with its CSRF check and
 * Content-Security-Policy, in a headless Chromium.
 */

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = process.env.FTPI_TEST_ARTIFACTS ?? path.resolve("test-artifacts");

let ftp: TestServer;
let app: ReturnType<typeof createStatusApp>;
let web: RunningWebServer;
let browser: Browser;
const stopLive = new AbortController();
const base = () => `http://127.0.0.1:${web.port}`;
const clients: ControlClient[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`this test needs Debian's chromium at ${CHROMIUM}: run "node scripts/test-setup.mjs" as root (or apt-get install chromium)`);
  }
  ftp = await startWithBuiltins([{ name: "autoban", options: { maxLoginFailures: 5 } }, { name: "hit-o-meter" }], {
    accounts: async (root) => [await account("alice", root), await account("bob", root)],
  });
  app = createStatusApp(ftp.server, { adminPasswordHash: await adminHash(), signal: stopLive.signal, throttle: { failureDelayMs: 1, maxFailures: 100 } });
  web = await serveOnNode((request, bindings) => app.fetch(request, bindings), { host: "127.0.0.1", port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
  await mkdir(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await browser?.close();
  stopLive.abort();
  await web?.close();
  await ftp?.close();
});

async function logIn(context: BrowserContext, page: string): Promise<Page> {
  const tab = await context.newPage();
  await tab.goto(`${base()}${page}`);
  expect(new URL(tab.url()).pathname).toBe("/login");
  await tab.fill('input[name="password"]', ADMIN_PASSWORD);
  await Promise.all([tab.waitForURL(`${base()}${page}`), tab.click('button[type="submit"]')]);
  return tab;
}

async function ftpLogin(user: string, localAddress: string): Promise<ControlClient> {
  const c = await ControlClient.connect(ftp.port, "127.0.0.1", localAddress);
  clients.push(c);
  await c.login(user);
  return c;
}

async function pasvFrom(c: ControlClient, localAddress: string): Promise<net.Socket> {
  const r = await c.send("PASV");
  const m = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(r.text)!;
  return connectDataFrom(`${m[1]}.${m[2]}.${m[3]}.${m[4]}`, Number(m[5]) * 256 + Number(m[6]), localAddress);
}

describe("autoban in the status app", () => {
  it("counts failed status-page logins as failures and bans their address", async () => {
    const from = { remoteAddress: "192.0.2.7" };
    for (let i = 0; i < 5; i++) {
      const res = await app.request("/api/status", { headers: { authorization: basic("wrong") } }, from);
      expect(res.status).toBe(401);
    }
    const autoban = ftp.server.host.apis.get("autoban") as AutobanApi;
    await waitFor(() => autoban.isBanned("192.0.2.7"), "the ban on 192.0.2.7");
    const bans = await (await app.request("/plugins/autoban/api/bans", { headers: { authorization: basic() } }, { remoteAddress: "127.0.0.1" })).json();
    expect(bans).toEqual([expect.objectContaining({ address: "192.0.2.7", reason: "5 failed logins in 60 s" })]);
    autoban.lift("192.0.2.7");
  });

  it("adds and lifts a ban from its panel in a browser, through the status app's CSRF check", { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
    const page = await logIn(context, "/plugins/autoban");
    await page.locator("tr.empty", { hasText: "Nobody is banned." }).waitFor();
    // The form carries the session's CSRF token; without it the status app would answer 403.
    expect(await page.locator('form.autoban-add input[name="csrf"]').getAttribute("value")).toMatch(/^[\w-]{20,}$/);

    await page.fill('input[name="address"]', "198.51.100.23");
    await page.fill('input[name="minutes"]', "90");
    await page.fill('input[name="reason"]', "port scanner");
    await Promise.all([page.waitForURL(`${base()}/plugins/autoban`), page.click('button:has-text("Ban")')]);
    const row = page.locator("tbody tr", { hasText: "198.51.100.23" });
    await expect(row.textContent()).resolves.toContain("port scanner");
    expect((ftp.server.host.apis.get("autoban") as AutobanApi).isBanned("198.51.100.23")).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, "autoban.png"), fullPage: true });

    await Promise.all([page.waitForURL(`${base()}/plugins/autoban`), row.locator('button:has-text("Lift")').click()]);
    await page.locator("tr.empty", { hasText: "Nobody is banned." }).waitFor();
    expect((ftp.server.host.apis.get("autoban") as AutobanApi).isBanned("198.51.100.23")).toBe(false);

    // A POST without the session's CSRF token is refused by the status app before autoban sees it.
    const forged = await page.evaluate(async () => (await fetch("/plugins/autoban/ban", { method: "POST", body: new URLSearchParams({ address: "203.0.113.1", minutes: "5" }) })).status);
    expect(forged).toBe(403);
    await context.close();
  });
});

describe("hit-o-meter in the status app", () => {
  it("shows the top users, the chart and a live rate in a browser", { timeout: 90_000 }, async () => {
    await writeFile(path.join(ftp.root, "small.bin"), Buffer.alloc(300_000, 1));
    await writeFile(path.join(ftp.root, "big.bin"), Buffer.alloc(64 * 1024 * 1024, 2));
    const alice = await ftpLogin("alice", "127.0.0.1");
    const down = await pasvFrom(alice, "127.0.0.1");
    expect((await alice.send("RETR small.bin")).code).toBe(150);
    await readAll(down);
    expect((await alice.read()).code).toBe(226);
    const bob = await ftpLogin("bob", "127.0.0.2");
    const up = await pasvFrom(bob, "127.0.0.2");
    expect((await bob.send("STOR up.bin")).code).toBe(150);
    up.end(Buffer.alloc(1_000_000, 3));
    expect((await bob.read()).code).toBe(226);

    // A slow download runs while the page is open, so the live rate has something to show.
    const slow = await pasvFrom(alice, "127.0.0.1");
    slow.on("data", () => {
      slow.pause();
      setTimeout(() => slow.resume(), 50).unref();
    });
    slow.on("error", () => {});
    alice.write("RETR big.bin\r\n");
    expect((await alice.read()).code).toBe(150);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await logIn(context, "/plugins/hit-o-meter");
    await page.locator('#hitometer-live-state[data-state="live"]').waitFor({ timeout: 5000 });
    await expect.poll(() => page.locator('[data-rate="server-out"]').textContent(), { timeout: 8000 }).toMatch(/^[1-9][\d.]* (KB|MB)\/s$/);
    await expect.poll(() => page.locator('[data-rate="user:alice"]').textContent(), { timeout: 8000 }).toMatch(/^↓ [1-9]/);
    const users = page.locator('table[data-kind="user"] tbody tr');
    await expect(users.nth(0).locator("td").first().textContent()).resolves.toBe("bob");
    await expect(users.nth(1).textContent()).resolves.toContain("alice");
    expect(await page.locator("svg.hitometer-chart path[data-series=out]").getAttribute("d")).toMatch(/^M/);
    // The status page's stylesheet applies: the tables are its cards.
    expect(await page.locator("table.cards").first().evaluate((t) => (globalThis as any).getComputedStyle(t).borderRadius)).not.toBe("0px");

    await page.click('nav.hitometer-ranges a:has-text("Hour")');
    await page.locator('#hitometer-live-state[data-state="live"]').waitFor({ timeout: 5000 });
    await page.screenshot({ path: path.join(ARTIFACTS, "hit-o-meter.png"), fullPage: true });
    slow.destroy();
    await context.close();
  });
});
