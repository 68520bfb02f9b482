/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import { randomBytes } from "node:crypto";
import { Hono, type Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { StatusContext, StatusEnv } from "../context.ts";
import { LoginPage } from "../pages/login.tsx";
import { renderPage } from "../pages/render.ts";
import { clientAddress, reportAdminLogin } from "./login-report.ts";
import { SESSION_COOKIE } from "./require-admin.ts";
import { isSameOrigin, sameSecret } from "./same-origin.ts";

/**
 * A short-lived cookie that ties the login form to the browser that loaded it, so another site
 * cannot post a login of its own (login CSRF) before there is a session and its token.
 */
const LOGIN_COOKIE = "ftpi_login";
const LOGIN_FORM_SECONDS = 3600;

const isHttps = (c: Context) => new URL(c.req.url).protocol === "https:";

/** Only a local path: "/sessions" yes, "//evil.example" or "https://…" no (no open redirect). */
export function safeNext(next: unknown): string {
  return typeof next === "string" && /^\/(?![/\\])/.test(next) ? next : "/";
}

function loginForm(c: Context<StatusEnv>, next: string, error?: string, status: ContentfulStatusCode = 200) {
  const token = randomBytes(24).toString("base64url");
  setCookie(c, LOGIN_COOKIE, token, { httpOnly: true, sameSite: "Strict", path: "/login", maxAge: LOGIN_FORM_SECONDS, secure: isHttps(c) });
  c.header("Cache-Control", "no-store");
  return renderPage(c, <LoginPage formToken={token} next={next} error={error} />, status);
}

/** GET/POST /login and POST /logout. */
export function loginRoutes(ctx: StatusContext): Hono<StatusEnv> {
  const app = new Hono<StatusEnv>();

  app.get("/login", (c) => {
    const next = safeNext(c.req.query("next"));
    if (ctx.adminSessions.find(getCookie(c, SESSION_COOKIE))) return c.redirect(next, 303);
    return loginForm(c, next);
  });

  app.post("/login", async (c) => {
    if (!isSameOrigin(c)) return c.text("Cross-site login refused.", 403);
    const form = await c.req.parseBody();
    const next = safeNext(form["next"]);
    const token = form["token"];
    if (typeof token !== "string" || !sameSecret(token, getCookie(c, LOGIN_COOKIE) ?? "")) {
      return loginForm(c, next, "The login form expired. Please try again.", 403);
    }
    const ip = clientAddress(c);
    const lockedFor = ctx.throttle.lockedFor(ip);
    if (lockedFor > 0) {
      c.header("Retry-After", String(lockedFor));
      return loginForm(c, next, `Too many failed logins. Try again in ${Math.ceil(lockedFor / 60)} minutes.`, 429);
    }
    const user = typeof form["user"] === "string" ? form["user"] : "";
    const password = typeof form["password"] === "string" ? form["password"] : "";
    if (!(await ctx.credentials.verify(user, password))) {
      reportAdminLogin(ctx, c, false, "form");
      await ctx.throttle.failed(ip);
      return loginForm(c, next, "Wrong password.", 401);
    }
    ctx.throttle.succeeded(ip);
    reportAdminLogin(ctx, c, true, "form");
    // A fresh id on every login: an id planted before login is never the one that gets in.
    const previous = getCookie(c, SESSION_COOKIE);
    if (previous) ctx.adminSessions.end(previous);
    const session = ctx.adminSessions.create();
    setCookie(c, SESSION_COOKIE, session.id, {
      httpOnly: true,
      sameSite: "Strict",
      path: "/",
      maxAge: ctx.adminSessions.maxAgeSeconds,
      secure: isHttps(c),
    });
    deleteCookie(c, LOGIN_COOKIE, { path: "/login" });
    return c.redirect(next, 303);
  });

  // Behind requireAdmin like every other POST: same origin and the CSRF token.
  app.post("/logout", (c) => {
    const caller = c.get("caller");
    if (caller.via === "cookie") ctx.adminSessions.end(caller.session.id);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.redirect("/login", 303);
  });

  return app;
}
