import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { freePort, RUNTIMES, startFtpi } from "../support/process.ts";
import { json } from "./support.ts";

const auth = (password: string) => ({ authorization: `Basic ${Buffer.from(`admin:${password}`).toString("base64")}` });

/** Logs in through the form, as a browser would; returns the session cookie. */
async function formLogin(base: string, password: string): Promise<string> {
  const form = await fetch(`${base}/login`);
  const loginCookie = /ftpi_login=([^;]+)/.exec(form.headers.getSetCookie().join("\n"))![1]!;
  const token = /name="token" value="([^"]+)"/.exec(await form.text())![1]!;
  const res = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: `ftpi_login=${loginCookie}`, origin: base },
    body: new URLSearchParams({ token, user: "admin", password }).toString(),
  });
  expect(res.status).toBe(303);
  return `ftpi_admin=${/ftpi_admin=([^;]+)/.exec(res.headers.getSetCookie().join("\n"))![1]}`;
}

/** Opens /events and resolves once the first event arrived; the stream stays open. */
async function openEvents(url: string, cookie: string): Promise<{ first: string; close(): void }> {
  const stop = new AbortController();
  const res = await fetch(url, { headers: { cookie }, signal: stop.signal });
  const reader = res.body!.getReader();
  const { value } = await reader.read();
  return { first: new TextDecoder().decode(value), close: () => stop.abort() };
}

describe.each(Object.keys(RUNTIMES))("the status page of ftpi serve on %s", (runtime) => {
  it("serves /healthz, the API with Basic auth, the login form, pages and live events, and stops on SIGTERM with a stream open", { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), `ftpi-web-${runtime}-`));
    const webPort = await freePort();
    const pasv = 43000 + Math.floor(Math.random() * 200) * 10;
    const ftpi = await startFtpi(
      [...RUNTIMES[runtime]!, "serve", "--root", path.join(dir, "share"), "--listen", "127.0.0.1:0", "--passive-ports", `${pasv}-${pasv + 9}`, "--web-port", String(webPort), "--web-host", "127.0.0.1", "--data-dir", path.join(dir, "data")],
      { cwd: dir, env: { FTPI_ADMIN_PASSWORD: "runtime-secret" } },
    );
    const base = `http://127.0.0.1:${webPort}`;
    let events: { close(): void } | null = null;
    try {
      expect(ftpi.output()).toContain(`Status page  http://`);
      expect(ftpi.output()).not.toContain("Admin login");
      expect(await (await fetch(`${base}/healthz`)).text()).toBe("ok");
      expect((await fetch(`${base}/api/status`)).status).toBe(401);
      const status = await json(await fetch(`${base}/api/status`, { headers: auth("runtime-secret") }));
      expect(status.sessions.current).toBe(0);
      const cookie = await formLogin(base, "runtime-secret");
      expect(await (await fetch(`${base}/sessions`, { headers: { cookie } })).text()).toContain("Nobody is connected.");
      const stream = await openEvents(`${base}/events?regions=badge`, cookie);
      events = stream;
      expect(stream.first).toContain("event: hello");
      const started = Date.now();
      expect(await ftpi.stop()).toBe(0);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      events?.close();
      await ftpi.stop();
    }
  });
});

it("prints a generated admin password on the first start only", { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "ftpi-web-first-"));
  const args = [...RUNTIMES.node!, "serve", "--root", path.join(dir, "share"), "--listen", "127.0.0.1:0", "--web-port", String(await freePort()), "--web-host", "127.0.0.1"];
  const env = { FTPI_ADMIN_PASSWORD: "" };
  const first = await startFtpi(args, { cwd: dir, env });
  const firstExit = await first.stop();
  expect(firstExit, first.output()).toBe(0);
  const password = /Admin login {2}admin \/ ([a-z2-9-]{19}) /.exec(first.output())?.[1];
  expect(password).toBeDefined();
  const second = await startFtpi(args, { cwd: dir, env });
  try {
    expect(second.output()).not.toContain("Admin login");
    const port = /Status page {2}http:\/\/[^:]+:(\d+)\//.exec(second.output())![1];
    expect((await fetch(`http://127.0.0.1:${port}/api/status`, { headers: auth(password!) })).status).toBe(200);
  } finally {
    await second.stop();
  }
});

it("refuses to start, saying what to do, when the status page port is taken", { timeout: 60_000 }, async () => {
  const net = await import("node:net");
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
  const port = (blocker.address() as import("node:net").AddressInfo).port;
  const dir = await mkdtemp(path.join(os.tmpdir(), "ftpi-web-busy-"));
  try {
    await expect(
      startFtpi([...RUNTIMES.node!, "serve", "--root", path.join(dir, "share"), "--listen", "127.0.0.1:0", "--web-port", String(port), "--web-host", "127.0.0.1"], {
        cwd: dir,
        env: { FTPI_ADMIN_PASSWORD: "x" },
      }),
    ).rejects.toThrow(/status page: cannot listen on 127\.0\.0\.1:\d+.*or 0 to turn the status page off/);
  } finally {
    blocker.close();
  }
});
