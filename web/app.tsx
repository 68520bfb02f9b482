/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { FtpServer } from "../core/server.ts";
import { apiRoutes } from "./api.ts";
import { assetRoutes } from "./assets/routes.ts";
import { AdminCredentials } from "./auth/admin-credentials.ts";
import { AdminSessions, DEFAULT_SESSION_LIMITS } from "./auth/admin-sessions.ts";
import { refuseBanned } from "./auth/banned.ts";
import { DEFAULT_THROTTLE, LoginThrottle } from "./auth/login-throttle.ts";
import { loginRoutes } from "./auth/login-routes.tsx";
import { requireAdmin } from "./auth/require-admin.ts";
import type { StatusAppOptions, StatusContext, StatusEnv } from "./context.ts";
import { lanAddresses } from "./ftp-info.ts";
import { liveEvents } from "./live-events.ts";
import { pageRoutes } from "./pages/routes.tsx";
import { securityHeaders } from "./security-headers.ts";
import { TransferRates } from "./transfer-rate.ts";

/** Plugin routes run under /plugins/<name>; a mount that throws is that plugin's fault, not ours. */
function mountPluginPanels(app: Hono<StatusEnv>, ctx: StatusContext): void {
  const { server } = ctx;
  for (const { plugin, mount } of server.host.webMounts) {
    const panel = new Hono<StatusEnv>();
    try {
      mount(panel);
    } catch (err) {
      server.host.fault(plugin, "web", err);
      continue;
    }
    app.route(`/plugins/${plugin}`, panel);
    ctx.panels.add(plugin);
  }
}

/**
 * The status page of `server` as a Hono app: pages, the JSON API, live events, /metrics, and the
 * plugins' panels, all behind the admin login except /healthz, and closed to addresses autoban has
 * banned. Runtime-agnostic: serve it with web/serve (Bun.serve, Deno.serve or @hono/node-server),
 * or call `app.request()` in tests.
 *
 * @example
 * const app = createStatusApp(server, { adminPasswordHash: await hashPassword("pw") });
 * const res = await app.request("/api/status", { headers: { authorization: "Basic " + btoa("admin:pw") } });
 */
export function createStatusApp(server: FtpServer, opts: StatusAppOptions): Hono<StatusEnv> {
  const lan = opts.lanAddresses;
  const ctx: StatusContext = {
    server,
    adminSessions: new AdminSessions({ ...DEFAULT_SESSION_LIMITS, ...opts.adminSessions }),
    credentials: new AdminCredentials(opts.adminPasswordHash),
    throttle: new LoginThrottle({ ...DEFAULT_THROTTLE, ...opts.throttle }),
    rates: new TransferRates(),
    metricsToken: opts.metricsToken !== undefined ? opts.metricsToken : server.options.web.metricsToken,
    liveIntervalMs: opts.liveIntervalMs ?? 1000,
    signal: opts.signal ?? new AbortController().signal,
    lanAddresses: lan ? () => lan : lanAddresses,
    panels: new Set(),
  };

  const app = new Hono<StatusEnv>();
  app.use("*", securityHeaders());
  // For monitors and container health checks: says only that the process answers.
  app.get("/healthz", (c) => c.text("ok"));
  // An address autoban has banned gets nothing more, the login form included.
  app.use("*", refuseBanned(ctx));
  app.route("/", assetRoutes());
  app.use("*", requireAdmin(ctx));
  app.route("/", loginRoutes(ctx));
  app.route("/", pageRoutes(ctx));
  app.route("/", apiRoutes(ctx));
  app.route("/", liveEvents(ctx));
  mountPluginPanels(app, ctx);

  app.notFound((c) => c.text("Not found.", 404));
  app.onError((err, c) => {
    if (err instanceof HTTPException) return err.getResponse();
    const plugin = /^\/plugins\/([^/]+)/.exec(c.req.path)?.[1];
    if (plugin) server.host.fault(plugin, "web", err);
    else server.log.error(`status page ${c.req.method} ${c.req.path}: ${err.stack ?? err.message}`);
    return c.text("Internal error; see the server log.", 500);
  });
  return app;
}
