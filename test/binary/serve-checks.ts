import { createHash, randomBytes } from "node:crypto";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { Client, FTPError } from "basic-ftp";
import { expect } from "vitest";
import { freePort, runTool, startFtpi, type RunningFtpi } from "../support/process.ts";

const FIXTURE_PLUGIN = path.join(import.meta.dirname, "fixtures/hello.ts");
const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

export interface ServedBinary {
  ftpi: RunningFtpi;
  port: number;
  webPort: number;
  /** The shared folder, on disk. */
  root: string;
}

/**
 * Starts `ftpi serve` from `command` (the executable, maybe behind an emulator) in `dir` with the
 * quick-start flags and the fixture plugin copied beside the executable as ./hello.ts.
 */
export async function serveBinary(command: string[], dir: string, opts: { timeoutMs: number }): Promise<ServedBinary> {
  await copyFile(FIXTURE_PLUGIN, path.join(dir, "hello.ts"));
  const port = await freePort();
  const webPort = await freePort();
  const pasv = 46000 + Math.floor(Math.random() * 200) * 10;
  const ftpi = await startFtpi(
    [
      ...command,
      "serve",
      "--root", "share",
      "--listen", `127.0.0.1:${port}`,
      "--passive-ports", `${pasv}-${pasv + 9}`,
      "--user", "alice:secret",
      "--user", "mallory:secret",
      "--data-dir", "data",
      "--web-port", String(webPort), "--web-host", "127.0.0.1",
      "--plugin", "./hello.ts",
    ],
    { cwd: dir, timeoutMs: opts.timeoutMs },
  );
  return { ftpi, port, webPort, root: path.join(dir, "share") };
}

/** Login, STOR, LIST, RETR with basic-ftp; the bytes must come back as they went. */
export async function roundTrip(server: ServedBinary, size: number, timeoutMs: number): Promise<void> {
  const client = new Client(timeoutMs);
  try {
    await client.access({ host: "127.0.0.1", port: server.port, user: "alice", password: "secret" });
    const payload = randomBytes(size);
    await client.uploadFrom(Readable.from([payload]), "round-trip.bin");
    expect(sha(await readFile(path.join(server.root, "round-trip.bin")))).toBe(sha(payload));
    const list = await client.list();
    expect(list.find((entry) => entry.name === "round-trip.bin")?.size).toBe(size);
    const chunks: Buffer[] = [];
    await client.downloadTo(new Writable({ write: (chunk, _encoding, done) => (chunks.push(chunk), done()) }), "round-trip.bin");
    expect(sha(Buffer.concat(chunks))).toBe(sha(payload));
  } finally {
    client.close();
  }
}

/**
 * FTPS with the self-signed certificate the executable made on its first start (selfsigned,
 * bundled): login over AUTH TLS, then a protected listing and download.
 */
export async function expectFtps(server: ServedBinary, timeoutMs: number): Promise<void> {
  const client = new Client(timeoutMs);
  try {
    await client.access({ host: "127.0.0.1", port: server.port, user: "alice", password: "secret", secure: true, secureOptions: { rejectUnauthorized: false } });
    await client.uploadFrom(Readable.from([Buffer.from("over TLS\n")]), "tls.txt");
    expect((await client.list()).map((entry) => entry.name)).toContain("tls.txt");
    const chunks: Buffer[] = [];
    await client.downloadTo(new Writable({ write: (chunk, _encoding, done) => (chunks.push(chunk), done()) }), "tls.txt");
    expect(Buffer.concat(chunks).toString()).toBe("over TLS\n");
  } finally {
    client.close();
  }
}

/**
 * curl fetches several files over one FTPS control connection under TLS 1.3. curl uses each
 * TLS 1.3 ticket once and keeps the newest, so the second data connection needs the ticket the
 * first one was given: the executable's TLS library (BoringSSL) issues one on every resumed
 * handshake. (OpenSSL, under Node, does not, and curl 7.88 then fails every second transfer, as
 * it does against vsftpd: curl issue #4654.)
 */
export async function expectCurlFtpsFiles(server: ServedBinary): Promise<void> {
  const names = ["one", "two", "three"];
  for (const name of names) await writeFile(path.join(server.root, `${name}.txt`), `${name}\n`);
  const out = await mkdtemp(path.join(os.tmpdir(), "ftpi-curl-"));
  try {
    const url = `ftp://127.0.0.1:${server.port}/{${names.join(",")}}.txt`;
    const r = await runTool("curl", ["-sS", "-k", "--ssl-reqd", "--tlsv1.3", "-u", "alice:secret", url, "-o", "got-#1.txt"], out);
    expect(r.code, r.stderr).toBe(0);
    for (const name of names) expect(await readFile(path.join(out, `got-${name}.txt`), "utf8")).toBe(`${name}\n`);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** The fixture plugin's SITE HELLO answers a logged-in user. */
export async function expectPluginSiteVerb(server: ServedBinary, timeoutMs: number): Promise<void> {
  const client = new Client(timeoutMs);
  try {
    await client.access({ host: "127.0.0.1", port: server.port, user: "alice", password: "secret" });
    const site = await client.send("SITE HELLO binary");
    expect(site.code).toBe(200);
    expect(site.message).toContain("Hello binary, you are alice");
  } finally {
    client.close();
  }
}

/** The fixture plugin turns mallory away, with its own reply text, although the password is right. */
export async function expectPluginDenial(server: ServedBinary, timeoutMs: number): Promise<void> {
  const client = new Client(timeoutMs);
  try {
    const error = await client.access({ host: "127.0.0.1", port: server.port, user: "mallory", password: "secret" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FTPError);
    expect((error as FTPError).code).toBe(530);
    expect((error as FTPError).message).toContain("The hello plugin turns mallory away.");
  } finally {
    client.close();
  }
}

/** The value of cookie `name` among a response's Set-Cookie headers. */
function cookieFrom(res: Response, name: string): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    const pair = line.split(";")[0]!;
    const eq = pair.indexOf("=");
    if (pair.slice(0, eq).trim() === name) return pair.slice(eq + 1);
  }
  return undefined;
}

/** The local URLs a page's <link href> and <script src> point at. */
const assetsOf = (html: string) => [...html.matchAll(/<(?:link[^>]*\shref|script[^>]*\ssrc)="(\/[^"]+)"/g)].map((m) => m[1]!);

/**
 * The status page, served from inside the executable, as a browser and a script use it: /healthz,
 * the login page and the embedded assets it and the overview reference, a login through the form
 * with the password the first start printed (login cookie, form token, then the session cookie and
 * its CSRF token), the overview, the sessions page listing a connected user, the live event
 * stream, a logout with the CSRF token, and /api with HTTP Basic.
 */
export async function expectStatusPage(server: ServedBinary, timeoutMs = 10_000): Promise<void> {
  const base = `http://127.0.0.1:${server.webPort}`;
  const get = (url: string, headers: Record<string, string> = {}) => fetch(`${base}${url}`, { headers, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });

  const health = await get("/healthz");
  expect(health.status).toBe(200);
  expect(await health.text()).toBe("ok");
  expect(server.ftpi.output()).toMatch(new RegExp(`Status page  http://\\S+:${server.webPort}/`));
  // No FTPI_ADMIN_PASSWORD: the first start made a password and printed it once.
  const password = /Admin login {2}admin \/ (\S+)/.exec(server.ftpi.output())?.[1];
  expect(password, "the generated admin password in the startup block").toMatch(/^[a-z0-9]{4}(-[a-z0-9]{4}){3}$/);

  // Not logged in: the overview sends a browser to the login page.
  const anonymous = await get("/", { accept: "text/html" });
  expect(anonymous.status).toBe(303);
  expect(anonymous.headers.get("location")).toBe("/login");

  const form = await get("/login", { accept: "text/html" });
  expect(form.status).toBe(200);
  expect(form.headers.get("content-type")).toContain("text/html");
  expect(form.headers.get("content-security-policy")).toContain("script-src 'self'");
  const formHtml = await form.text();
  expect(formHtml).toContain('<form method="post" action="/login"');
  const formToken = /name="token" value="([^"]+)"/.exec(formHtml)?.[1];
  const loginCookie = cookieFrom(form, "ftpi_login");
  expect(formToken).toBeTruthy();
  expect(loginCookie).toBeTruthy();

  // The browser's login: the form's token and cookie, from our own origin.
  const login = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    signal: AbortSignal.timeout(timeoutMs),
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: `ftpi_login=${loginCookie}`, origin: base, "sec-fetch-site": "same-origin" },
    body: new URLSearchParams({ token: formToken!, user: "admin", password: password!, next: "/" }).toString(),
  });
  expect(login.status).toBe(303);
  expect(login.headers.get("location")).toBe("/");
  const session = cookieFrom(login, "ftpi_admin");
  expect(session).toBeTruthy();
  const cookie = { cookie: `ftpi_admin=${session}`, accept: "text/html" };

  const overview = await get("/", cookie);
  expect(overview.status).toBe(200);
  const overviewHtml = await overview.text();
  expect(overviewHtml).toContain("Post your FTP info");
  expect(overviewHtml).toContain(`:${server.port}`);

  // Every stylesheet and script the two pages link is embedded in the executable.
  const assets = [...new Set([...assetsOf(formHtml), ...assetsOf(overviewHtml)])];
  expect(assets.some((url) => /^\/assets\/[^?]+\.css/.test(url)), assets.join(" ")).toBe(true);
  expect(assets.some((url) => /^\/assets\/[^?]+\.js/.test(url)), assets.join(" ")).toBe(true);
  for (const url of assets) {
    const asset = await get(url);
    expect(asset.status, url).toBe(200);
    const type = asset.headers.get("content-type") ?? "";
    const body = await asset.text();
    expect(body.length, url).toBeGreaterThan(100);
    if (/\.css(\?|$)/.test(url)) expect(type, url).toContain("text/css");
    if (/\.js(\?|$)/.test(url)) expect(type, url).toContain("javascript");
    if (/\.svg(\?|$)/.test(url)) expect(type, url).toContain("image/svg+xml");
  }

  // The sessions page shows a user connected right now, with the kick form's CSRF token.
  const client = new Client(timeoutMs);
  try {
    await client.access({ host: "127.0.0.1", port: server.port, user: "alice", password: "secret" });
    const sessions = await get("/sessions", cookie);
    expect(sessions.status).toBe(200);
    const sessionsHtml = await sessions.text();
    expect(sessionsHtml).toContain("<strong>alice</strong>");
    const csrf = /name="csrf" value="([^"]+)"/.exec(sessionsHtml)?.[1];
    expect(csrf).toBeTruthy();

    // The live stream the pages' script subscribes to.
    const events = await fetch(`${base}/events?regions=sessions`, { headers: cookie, signal: AbortSignal.timeout(timeoutMs) });
    expect(events.status).toBe(200);
    expect(events.headers.get("content-type")).toContain("text/event-stream");
    const reader = events.body!.getReader();
    let text = "";
    while (!text.includes("event: sessions")) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toContain("alice");

    // A script: HTTP Basic on /api.
    const auth = { authorization: `Basic ${Buffer.from(`admin:${password}`).toString("base64")}` };
    const status = await get("/api/status", auth);
    expect(status.status).toBe(200);
    expect(status.headers.get("content-type")).toContain("application/json");
    expect(await status.json()).toMatchObject({ version: expect.any(String) });
    const api = (await (await get("/api/sessions", auth)).json()) as { sessions: { user: string | null }[] };
    expect(api.sessions.map((s) => s.user)).toContain("alice");
    expect((await get("/api/status", { authorization: `Basic ${Buffer.from("admin:wrong").toString("base64")}` })).status).toBe(401);

    // Logging out is a POST with the session's CSRF token; the cookie then stops working.
    const logout = await fetch(`${base}/logout`, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
      headers: { cookie: `ftpi_admin=${session}`, "content-type": "application/x-www-form-urlencoded", origin: base, "sec-fetch-site": "same-origin" },
      body: new URLSearchParams({ csrf: csrf! }).toString(),
    });
    expect(logout.status).toBe(303);
    expect((await get("/", cookie)).status).toBe(303);
  } finally {
    client.close();
  }
}
