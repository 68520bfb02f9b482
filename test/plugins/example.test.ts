import { spawnSync } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { binaryInEmptyFolder, ensureBinaries } from "../support/binary.ts";
import { ControlClient } from "../support/control.ts";
import { freePort, REPO, RUNTIMES, startFtpi, type RunningFtpi } from "../support/process.ts";

/*
 * docs/writing-plugins.md, checked: plugins/examples/greeter.ts is loaded from its path the ways
 * the document shows — `ftpi serve --plugin ./plugins/examples/greeter.ts`, an ftpi.yaml entry
 * with options, and the compiled executable — and does everything the document promises.
 */

const GREETER = path.join(REPO, "plugins/examples/greeter.ts");
const ADMIN_PASSWORD = "example admin password";
const basic = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString("base64")}`;

/** A user name that is valid for FTP and is HTML: the panel must show it as text (ctx.escapeHtml). */
const ODD_USER = `<b>o'brien&co`;

let running: RunningFtpi[] = [];
let clients: ControlClient[] = [];
afterEach(async () => {
  for (const c of clients) c.close();
  clients = [];
  await Promise.all(running.map((r) => r.stop()));
  running = [];
});

interface Served {
  ftpi: RunningFtpi;
  port: number;
  webPort: number;
}

/** `<command> serve` with alice and mallory (password "secret"), the status page on, and `extra` flags. */
async function serve(command: string[], cwd: string, dir: string, extra: string[]): Promise<Served> {
  const port = await freePort();
  const webPort = await freePort();
  const pasv = 47000 + Math.floor(Math.random() * 200) * 10;
  const ftpi = await startFtpi(
    [
      ...command,
      "serve",
      "--root", path.join(dir, "share"),
      "--listen", `127.0.0.1:${port}`,
      "--passive-ports", `${pasv}-${pasv + 9}`,
      "--user", "alice:secret",
      "--user", "mallory:secret",
      "--user", `${ODD_USER}:secret`,
      "--data-dir", path.join(dir, "data"),
      "--web-port", String(webPort), "--web-host", "127.0.0.1",
      ...extra,
    ],
    { cwd, env: { FTPI_ADMIN_PASSWORD: ADMIN_PASSWORD }, timeoutMs: 30_000 },
  );
  running.push(ftpi);
  return { ftpi, port, webPort };
}

async function ftp(s: Served): Promise<ControlClient> {
  const c = await ControlClient.connect(s.port);
  clients.push(c);
  expect((await c.read()).code).toBe(220);
  return c;
}

/** USER/PASS; the PASS reply's text. */
async function loginAs(s: Served, user: string): Promise<{ client: ControlClient; reply: string }> {
  const client = await ftp(s);
  await client.send(`USER ${user}`);
  return { client, reply: (await client.send("PASS secret")).text };
}

const web = (s: Served, url: string) => fetch(`http://127.0.0.1:${s.webPort}${url}`, { headers: { authorization: basic } });

/** Everything the document promises of the greeter, with the greeting `greeting`. */
async function checkGreeter(s: Served, greeting: string, visit: number): Promise<void> {
  // "denies a login": mallory is turned away although the password is right.
  expect((await loginAs(s, "mallory")).reply).toBe("530 Sorry mallory, not today.");
  // "adds a SITE verb", listed in SITE HELP.
  const { client, reply } = await loginAs(s, "alice");
  expect(reply).toMatch(/^230 /);
  expect((await client.send("SITE GREET")).text).toBe(`200 ${greeting}, alice! This is visit number ${visit}.`);
  expect((await client.send("SITE HELP")).text).toContain("GREET");
  // "adds a status-page panel", behind the admin login.
  expect((await fetch(`http://127.0.0.1:${s.webPort}/plugins/greeter/api/visits`)).status).toBe(401);
  expect(await (await web(s, "/plugins/greeter/api/visits")).json()).toEqual({ alice: visit });
  const panel = await web(s, "/plugins/greeter");
  expect(panel.status).toBe(200);
  expect(await panel.text()).toContain(`<tr><td>alice</td><td>${visit}</td></tr>`);
}

describe("the example plugin of docs/writing-plugins.md", () => {
  it("works from source with --plugin, and keeps its state across a restart", { timeout: 90_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "ftpi-example-"));
    const flags = ["--plugin", "./plugins/examples/greeter.ts"];
    const first = await serve(RUNTIMES.node!, REPO, dir, flags);
    await checkGreeter(first, "Hello", 1);
    await first.ftpi.stop();
    running = [];

    // "keeps state across restarts": the second start counts on from the first.
    const second = await serve(RUNTIMES.node!, REPO, dir, flags);
    await checkGreeter(second, "Hello", 2);

    // "goes into the HTML through ctx.escapeHtml": a user name with <, & and ' is text on the panel.
    expect((await loginAs(second, ODD_USER)).reply).toMatch(/^230 /);
    const panel = await (await web(second, "/plugins/greeter")).text();
    expect(panel).toContain("<tr><td>&lt;b&gt;o&#39;brien&amp;co</td><td>1</td></tr>");
    expect(panel).not.toContain("<b>o'brien");
  });

  it("takes its options from ftpi.yaml, and refuses to start on wrong ones", { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "ftpi-example-"));
    const relative = path.relative(dir, GREETER);
    await writeFile(path.join(dir, "ftpi.yaml"), `plugins:\n  - path: ${relative}\n    options: { greeting: Howdy, blocked: [mallory] }\n`);
    const s = await serve(RUNTIMES.node!, dir, dir, ["--config", "ftpi.yaml"]);
    await checkGreeter(s, "Howdy", 1);

    await writeFile(path.join(dir, "wrong.yaml"), `plugins:\n  - path: ${relative}\n    options: { greeting: "" }\n`);
    const [node, ...args] = RUNTIMES.node!;
    const wrong = spawnSync(node!, [...args, "check", "--config", "wrong.yaml"], { cwd: dir, encoding: "utf8" });
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/wrong\.yaml:2:5: plugins\.0\.options\.greeting: the greeting cannot be empty/);

    // The short form: a path alone, default options.
    await writeFile(path.join(dir, "short.yaml"), `plugins: [${relative}]\n`);
    const short = spawnSync(node!, [...args, "check", "--config", "short.yaml"], { cwd: dir, encoding: "utf8" });
    expect(short.stderr).toBe("");
    expect(short.status).toBe(0);
  });

  it("loads into the compiled executable, run alone in an empty folder", { timeout: 180_000 }, async () => {
    ensureBinaries("linux-x64");
    const { dir, binary } = await binaryInEmptyFolder("linux-x64");
    // The built-in plugins come along inside the executable; the example comes from its path.
    const s = await serve([binary], dir, dir, ["--plugin", GREETER, "--plugin", "autoban", "--plugin", "hit-o-meter"]);
    await checkGreeter(s, "Hello", 1);
    expect(await (await web(s, "/plugins/autoban/api/bans")).json()).toEqual([]);
    const meter = await web(s, "/plugins/hit-o-meter?range=hour");
    expect(meter.status).toBe(200);
    expect(await meter.text()).toContain("<svg");
    const top = (await (await web(s, "/plugins/hit-o-meter/api/top?by=user")).json()) as { key: string; logins: { ok: number; failed: number } }[];
    expect(top.find((u) => u.key === "alice")?.logins.ok).toBe(1);
  });
});
