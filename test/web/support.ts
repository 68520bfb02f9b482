import type { Hono } from "hono";
import { hashPassword } from "../../core/auth/password.ts";
import type { Account } from "../../core/auth/types.ts";
import type { ServerOptions } from "../../core/config/types.ts";
import type { Plugin } from "../../core/hooks/types.ts";
import { createStatusApp } from "../../web/app.tsx";
import type { StatusAppOptions, StatusEnv } from "../../web/context.ts";
import type { TestServer } from "../support/server.ts";
import { startWithBuiltins } from "../plugins/support.ts";

export const ADMIN_PASSWORD = "correct horse battery";
let hash: Promise<string> | null = null;
export const adminHash = () => (hash ??= hashPassword(ADMIN_PASSWORD));

export const basic = (password = ADMIN_PASSWORD, user = "admin") => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

/** The client address the tests' requests come from (what a runtime adapter would pass). */
export const CLIENT = { remoteAddress: "192.0.2.7" };

export interface WebFixture {
  ftp: TestServer;
  app: Hono<StatusEnv>;
  /** app.request() from CLIENT. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** A GET/POST as the admin over HTTP Basic. */
  asAdmin(path: string, init?: RequestInit): Promise<Response>;
  stop: AbortController;
  close(): Promise<void>;
}

/**
 * A real FTP server (alice/secret) and its status app, with short login delays. `plugins` are
 * plugin objects; `builtins` built-in plugins by name, with options, as ftpi.yaml gives them.
 */
export async function startWeb(
  opts: {
    plugins?: Plugin[];
    builtins?: { name: string; options?: unknown }[];
    app?: Partial<StatusAppOptions>;
    /** Server options over the test defaults. */
    options?: Partial<ServerOptions>;
    /** The accounts, instead of alice alone. */
    accounts?: (root: string) => Promise<Account[]> | Account[];
  } = {},
): Promise<WebFixture> {
  const ftp = await startWithBuiltins(opts.builtins ?? [], opts);
  const stop = new AbortController();
  const app = createStatusApp(ftp.server, {
    adminPasswordHash: await adminHash(),
    signal: stop.signal,
    throttle: { failureDelayMs: 5, maxFailures: 4 },
    lanAddresses: ["192.168.1.23"],
    liveIntervalMs: 100,
    ...opts.app,
  });
  const request = (path: string, init?: RequestInit) => Promise.resolve(app.request(path, init, CLIENT));
  return {
    ftp,
    app,
    request,
    asAdmin: (path, init = {}) => request(path, { ...init, headers: { authorization: basic(), ...(init.headers as Record<string, string>) } }),
    stop,
    async close() {
      stop.abort();
      await ftp.close();
    },
  };
}

/** A response's JSON body, untyped as the API's clients see it. */
export const json = (res: Response): Promise<any> => res.json();

/** The value of cookie `name` from a response's Set-Cookie headers. */
export function cookieFrom(res: Response, name: string): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const eq = pair!.indexOf("=");
    if (pair!.slice(0, eq).trim() === name) return pair!.slice(eq + 1);
  }
  return undefined;
}

export function setCookieLine(res: Response, name: string): string | undefined {
  return res.headers.getSetCookie().find((line) => line.startsWith(`${name}=`));
}

/** Logs in through the form like a browser; returns the session cookie and the page's CSRF token. */
export async function browserLogin(web: WebFixture, password = ADMIN_PASSWORD): Promise<{ cookie: string; csrf: string; response: Response }> {
  const form = await web.request("/login");
  if (form.status !== 200) return { cookie: "", csrf: "", response: form };
  const loginCookie = cookieFrom(form, "ftpi_login")!;
  const token = /name="token" value="([^"]+)"/.exec(await form.text())![1]!;
  const response = await web.request("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: `ftpi_login=${loginCookie}`, origin: "http://localhost", "sec-fetch-site": "same-origin" },
    body: new URLSearchParams({ token, user: "admin", password, next: "/sessions" }).toString(),
  });
  const session = cookieFrom(response, "ftpi_admin");
  if (!session) return { cookie: "", csrf: "", response };
  const page = await web.request("/sessions", { headers: { cookie: `ftpi_admin=${session}` } });
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  return { cookie: `ftpi_admin=${session}`, csrf, response };
}
