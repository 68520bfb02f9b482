import { Hono } from "hono";
import type { StatusContext, StatusEnv } from "./context.ts";
import { hostOfHeader } from "./ftp-info.ts";
import { METRICS_CONTENT_TYPE, renderMetrics } from "./metrics.ts";
import { sessionViews, statusView, transferViews } from "./snapshot.ts";

/** RFC 959 §4.2: 421 "Service not available, closing control connection". */
const KICK_REPLY = { code: 421, lines: ["Disconnected by the server administrator."], close: true };

/** The JSON API under /api (documented in docs/api.md) and /metrics for Prometheus. */
export function apiRoutes(ctx: StatusContext): Hono<StatusEnv> {
  const app = new Hono<StatusEnv>();
  const { server } = ctx;

  app.get("/api/status", (c) => c.json(statusView(ctx, hostOfHeader(c.req.header("host")))));
  app.get("/api/sessions", (c) => c.json({ sessions: sessionViews(ctx) }));
  app.get("/api/transfers", (c) => c.json({ transfers: transferViews(server) }));

  app.post("/api/sessions/:id/kick", (c) => {
    const id = c.req.param("id");
    // A plain HTML form (no script) goes back to the page; fetch() and scripts get JSON.
    const fromForm = (c.req.header("accept") ?? "").includes("text/html");
    const session = [...server.sessions].find((s) => s.id === id);
    if (!session) return fromForm ? c.redirect("/sessions", 303) : c.json({ error: "no such session" }, 404);
    server.log.info("session kicked from the status page", { session: id, ip: session.remoteAddress, user: session.account?.name ?? null });
    session.send(KICK_REPLY);
    return fromForm ? c.redirect("/sessions", 303) : c.json({ kicked: id });
  });

  app.all("/api/*", (c) => c.json({ error: "no such API" }, 404));

  app.get("/metrics", (c) => c.body(renderMetrics(server), 200, { "Content-Type": METRICS_CONTENT_TYPE }));

  return app;
}
