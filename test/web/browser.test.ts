import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type net from "node:net";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createStatusApp } from "../../web/app.tsx";
import { serveOnNode } from "../../web/serve/node.ts";
import type { RunningWebServer } from "../../web/serve/types.ts";
import { ControlClient } from "../support/control.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { ADMIN_PASSWORD, adminHash } from "./support.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = process.env.FTPI_TEST_ARTIFACTS ?? path.resolve("test-artifacts");
const FILE_SIZE = 64 * 1024 * 1024;
/** The test client reads this fast, so the progress bar has time to move. */
const READ_BYTES_PER_SECOND = 4 * 1024 * 1024;

let ftp: TestServer;
let web: RunningWebServer;
let browser: Browser;
const stopLive = new AbortController();
const base = () => `http://127.0.0.1:${web.port}`;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the browser test needs Debian's chromium at ${CHROMIUM}: run "node scripts/test-setup.mjs" as root (or apt-get install chromium)`);
  }
  ftp = await startServer({ options: { externalAddress: "ftp.example.net" } });
  const app = createStatusApp(ftp.server, { adminPasswordHash: await adminHash(), signal: stopLive.signal, lanAddresses: ["192.168.1.23"] });
  web = await serveOnNode((request, bindings) => app.fetch(request, bindings), { host: "127.0.0.1", port: 0 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  await mkdir(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  stopLive.abort();
  await web?.close();
  await ftp?.close();
});

async function logIn(context: BrowserContext, page: string, screenshot?: string): Promise<Page> {
  const tab = await context.newPage();
  await tab.goto(`${base()}${page}`);
  expect(new URL(tab.url()).pathname).toBe("/login");
  if (screenshot) await tab.screenshot({ path: path.join(ARTIFACTS, screenshot) });
  await tab.fill('input[name="password"]', ADMIN_PASSWORD);
  await Promise.all([tab.waitForURL(`${base()}${page}`), tab.click('button[type="submit"]')]);
  await tab.locator('#live-state[data-state="live"]').waitFor({ timeout: 5000 });
  return tab;
}

/** Reads the data connection at about `rate` bytes per second: pause after each chunk for as long as it "took". */
function readSlowly(socket: net.Socket, rate: number): void {
  socket.on("data", (chunk: Buffer) => {
    socket.pause();
    setTimeout(() => socket.resume(), (chunk.length / rate) * 1000).unref();
  });
  socket.on("error", () => {});
}

it("logs in, shows a live session and its transfer's progress, kicks it, and fits a phone", { timeout: 90_000 }, async () => {
  await writeFile(path.join(ftp.root, "movie.mkv"), Buffer.alloc(FILE_SIZE, 1));
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await desktop.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base() });
  const page = await logIn(desktop, "/sessions");
  await page.locator("tr.empty", { hasText: "Nobody is connected." }).waitFor();

  // A client logs in: its row appears without a reload.
  const client = await ControlClient.connect(ftp.port);
  await client.login("alice");
  const row = page.locator('tr[id^="session-"]', { hasText: "alice" });
  await row.waitFor({ timeout: 5000 });
  await expect.poll(() => page.locator('[data-live="badge"]').textContent()).toBe("1");

  // A slow download: the bar moves while we watch.
  await client.send("TYPE I");
  const data = await client.pasv();
  readSlowly(data, READ_BYTES_PER_SECOND);
  client.write("RETR movie.mkv\r\n");
  expect((await client.read()).code).toBe(150);
  const bar = row.locator("progress");
  await bar.waitFor({ timeout: 5000 });
  const progress = async () => Number(await bar.getAttribute("value"));
  await expect.poll(progress, { timeout: 5000 }).toBeGreaterThan(0);
  const first = await progress();
  await expect.poll(progress, { timeout: 8000 }).toBeGreaterThan(first + 2);
  expect(first).toBeLessThan(100);
  await expect(row.locator(".transfer-numbers").textContent()).resolves.toMatch(/of 64 MiB · [\d.]+ (KiB|MiB)\/s · .+ left/);
  await page.screenshot({ path: path.join(ARTIFACTS, "status-page.png"), fullPage: true });

  // The same at phone width (390 px): rows become cards, nothing wider than the screen.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const phonePage = await logIn(phone, "/sessions", "status-page-login-phone.png");
  await phonePage.locator('tr[id^="session-"] progress').waitFor();
  expect(await phonePage.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await phonePage.screenshot({ path: path.join(ARTIFACTS, "status-page-phone.png"), fullPage: true });
  await phonePage.goto(`${base()}/`);
  await phonePage.locator('#live-state[data-state="live"]').waitFor();
  expect(await phonePage.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await phonePage.screenshot({ path: path.join(ARTIFACTS, "status-page-overview-phone.png"), fullPage: true });

  // Kick: the client hears 421 and the row goes away.
  page.once("dialog", (dialog) => void dialog.accept());
  await row.locator("button", { hasText: "Kick" }).click();
  const kicked = await client.read();
  expect(kicked.code).toBe(421);
  await waitFor(() => client.closed, "the kicked client's connection to close");
  await page.locator("tr.empty", { hasText: "Nobody is connected." }).waitFor({ timeout: 5000 });
  data.destroy();

  // The aborted download is listed, and the overview offers the FTP info to copy.
  await page.click('nav a[href="/transfers"]');
  await page.locator("tbody tr", { hasText: "/movie.mkv" }).locator(".pill-aborted").waitFor({ timeout: 5000 });
  await page.screenshot({ path: path.join(ARTIFACTS, "status-page-transfers.png"), fullPage: true });
  await page.click('nav a[href="/"]');
  const info = await page.locator("#ftp-info").textContent();
  expect(info).toContain(`ftp://ftp.example.net:${ftp.port}/`);
  await page.click("button[data-copy]");
  await page.locator("button[data-copy]", { hasText: "Copied" }).waitFor({ timeout: 3000 });
  expect(await page.evaluate(() => (globalThis as any).navigator.clipboard.readText())).toBe(info);
  await page.screenshot({ path: path.join(ARTIFACTS, "status-page-overview.png"), fullPage: true });

  await phone.close();
  await desktop.close();
  client.close();
});
