import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { Caller, StatusContext, StatusEnv } from "../context.ts";
import { clientAddress, reportAdminLogin } from "./login-report.ts";
import { csrfTokenOf, isSameOrigin, sameSecret } from "./same-origin.ts";

export const SESSION_COOKIE = "ftpi_admin";

/** Open to everyone: the health check, the login form and the static files it needs. */
export function isPublicPath(path: string): boolean {
  return path === "/healthz" || path === "/login" || path === "/favicon.svg" || path.startsWith("/assets/");
}

/** Where scripts may use HTTP Basic auth instead of the login cookie. */
const acceptsBasic = (path: string) => path === "/metrics" || path.startsWith("/api/") || path.startsWith("/plugins/");

const isNavigation = (c: Context) =>
  c.req.method === "GET" && (c.req.header("sec-fetch-mode") === "navigate" || (c.req.header("accept") ?? "").includes("text/html"));

function parseBasic(header: string): { user: string; password: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return null;
  const text = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = text.indexOf(":");
  return colon < 0 ? null : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * Everything but the public paths needs the admin: a login cookie (browsers), HTTP Basic
 * (scripts, on /api, /plugins and /metrics) or the metrics bearer token (on /metrics). Every
 * POST must come from our own origin, and a cookie caller must also send the session's CSRF token.
 */
export function requireAdmin(ctx: StatusContext): MiddlewareHandler<StatusEnv> {
  return async (c, next) => {
    const path = c.req.path;
    if (isPublicPath(path)) return next();
    const caller = await identify(ctx, c);
    if (caller instanceof Response) return caller;
    if (!caller) return refuse(c);
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      if (!isSameOrigin(c)) return c.json({ error: "cross-site request refused" }, 403);
      if (caller.via === "cookie" && !sameSecret(await csrfTokenOf(c), caller.session.csrfToken)) {
        return c.json({ error: "missing or wrong CSRF token; reload the page" }, 403);
      }
    }
    c.set("caller", caller);
    await next();
    c.header("Cache-Control", "no-store");
  };
}

/** The caller, null when it sent no credentials, or the refusal for wrong ones. */
async function identify(ctx: StatusContext, c: Context<StatusEnv>): Promise<Caller | Response | null> {
  const session = ctx.adminSessions.find(getCookie(c, SESSION_COOKIE));
  if (session) return { via: "cookie", session };
  const authorization = c.req.header("authorization");
  if (!authorization) return null;
  const path = c.req.path;
  const ip = clientAddress(c);
  const lockedFor = ctx.throttle.lockedFor(ip);
  if (lockedFor > 0) {
    c.header("Retry-After", String(lockedFor));
    return c.json({ error: "too many failed logins; try again later" }, 429);
  }
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (bearer && path === "/metrics" && ctx.metricsToken) {
    if (sameSecret(bearer[1], ctx.metricsToken)) return { via: "bearer" };
    return fail(ctx, c, "bearer");
  }
  const basic = parseBasic(authorization);
  if (basic && acceptsBasic(path)) {
    if (await ctx.credentials.verify(basic.user, basic.password)) {
      ctx.throttle.succeeded(ip);
      return { via: "basic" };
    }
    return fail(ctx, c, "basic");
  }
  return null;
}

async function fail(ctx: StatusContext, c: Context<StatusEnv>, via: "basic" | "bearer"): Promise<Response> {
  reportAdminLogin(ctx, c, false, via);
  await ctx.throttle.failed(clientAddress(c));
  return unauthorized(c, "wrong credentials");
}

function unauthorized(c: Context, error: string): Response {
  c.header("WWW-Authenticate", `Basic realm="ftpi status", charset="UTF-8"`);
  return c.json({ error }, 401);
}

/** No credentials: scripts get a Basic challenge, browsers the login form. */
function refuse(c: Context): Response {
  const path = c.req.path;
  if (acceptsBasic(path) && !(path.startsWith("/plugins/") && isNavigation(c))) return unauthorized(c, "login required");
  if (c.req.method !== "GET") return c.json({ error: "login required" }, 403);
  const next = path === "/" ? "" : `?next=${encodeURIComponent(path + new URL(c.req.url).search)}`;
  return c.redirect(`/login${next}`, 303);
}
